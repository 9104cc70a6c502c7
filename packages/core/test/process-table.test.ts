import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Process } from '../src/internal/process.js';
import { ProcessTable } from '../src/internal/process-table.js';

const proc = (id: number) => ({ id }) as unknown as Process;

describe('process table', () => {
  it('behaves like a Map keyed by growing ids, values in id order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant('spawn' as const), fc.nat(5000)), { maxLength: 3000 }),
        (ops) => {
          const table = new ProcessTable();
          const model = new Map<number, Process>();
          let next = 0;
          for (const op of ops) {
            if (op === 'spawn') {
              const p = proc(next);
              table.set(next, p);
              model.set(next, p);
              next++;
            } else {
              const id = next === 0 ? 0 : op % next;
              expect(table.delete(id)).toBe(model.delete(id));
            }
            expect(table.size).toBe(model.size);
          }
          for (let id = 0; id < next; id++) expect(table.get(id)).toBe(model.get(id));
          expect([...table.values()]).toEqual([...model.values()]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('drops a chunk once all its processes have exited and ids moved on', () => {
    const table = new ProcessTable();
    for (let id = 0; id < 3000; id++) table.set(id, proc(id));
    for (let id = 0; id < 2048; id++) table.delete(id);
    expect(table.size).toBe(952);
    expect(table.get(5)).toBeUndefined();
    table.set(5000, proc(5000));
    expect([...table.values()].length).toBe(953);
  });
});
