import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY, Mailbox } from '../src/mailbox.js';
import { DownMessage } from '../src/messages.js';
import { Pid } from '../src/pid.js';
import type { Ref } from '../src/ref.js';

const down = (n: number) => new DownMessage(`r#${n}` as Ref, new Pid('n', 'i', n), 'normal');

type Op =
  | { op: 'push'; value: number; system: boolean }
  | { op: 'shift' }
  | { op: 'extract'; mod: number }
  | { op: 'removeAll'; mod: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('push' as const), value: fc.nat(1000), system: fc.boolean() }),
  fc.record({ op: fc.constant('shift' as const) }),
  fc.record({ op: fc.constant('extract' as const), mod: fc.integer({ min: 2, max: 5 }) }),
  fc.record({ op: fc.constant('removeAll' as const), mod: fc.integer({ min: 2, max: 5 }) }),
);

const payloadOf = (m: unknown): number => (m instanceof DownMessage ? m.pid.id : (m as number));

describe('mailbox ring buffer', () => {
  it('behaves like an array queue for any sequence of push, shift, extract and removeAll', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), (ops) => {
        const box = new Mailbox();
        const model: { value: number; system: boolean }[] = [];
        for (const o of ops) {
          if (o.op === 'push') {
            box.push(o.system ? down(o.value) : o.value, o.system);
            model.push({ value: o.value, system: o.system });
          } else if (o.op === 'shift') {
            const got = box.shift();
            const want = model.shift();
            expect(got === EMPTY ? undefined : payloadOf(got)).toBe(want?.value);
          } else if (o.op === 'extract') {
            const got = box.extract((m) => payloadOf(m) % o.mod === 0);
            const i = model.findIndex((m) => m.value % o.mod === 0);
            const want = i < 0 ? undefined : model.splice(i, 1)[0];
            expect(got === EMPTY ? undefined : payloadOf(got)).toBe(want?.value);
          } else {
            const removed = box.removeAll((m) => payloadOf(m) % o.mod === 0);
            const before = model.length;
            for (let i = model.length - 1; i >= 0; i--) {
              if ((model[i] as { value: number }).value % o.mod === 0) model.splice(i, 1);
            }
            expect(removed).toBe(before - model.length);
          }
          expect(box.size).toBe(model.length);
          expect(box.userSize).toBe(model.filter((m) => !m.system).length);
          expect(box.toArray().map(payloadOf)).toEqual(model.map((m) => m.value));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('allocates no buffer until the first message', () => {
    const box = new Mailbox();
    expect(box.toArray()).toEqual([]);
    expect(box.shift()).toBe(EMPTY);
    expect(box.extract(() => true)).toBe(EMPTY);
  });
});
