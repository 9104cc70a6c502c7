// Issue 5.4: the mediator's bookkeeping alone: exclusive grants, all-or-nothing, FIFO, fencing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findAnyCycle, LockTable } from '../src/index.js';

describe('LockTable', () => {
  it('grants a request all at once or not at all', () => {
    const t = new LockTable(['a', 'b']);
    t.enqueue({ id: 1, owner: 'x', resources: ['a'] });
    t.grantReady();
    t.enqueue({ id: 2, owner: 'y', resources: ['a', 'b'] });
    expect(t.grantReady()).toEqual([]);
    expect(t.holder('b')).toBeUndefined(); // y holds no part while it waits
  });

  it('never lets a later request overtake an earlier one on a shared resource', () => {
    const t = new LockTable(['a', 'b']);
    t.enqueue({ id: 1, owner: 'x', resources: ['a'] });
    t.grantReady();
    t.enqueue({ id: 2, owner: 'y', resources: ['a', 'b'] });
    t.enqueue({ id: 3, owner: 'z', resources: ['b'] });
    expect(t.grantReady()).toEqual([]); // b is free, but y asked first
    t.release('a', 'x', 1);
    expect(t.grantReady().map((g) => g.request.owner)).toEqual(['y']);
  });

  it('issues strictly increasing fencing tokens per resource', () => {
    const t = new LockTable(['a']);
    const tokens: number[] = [];
    for (let i = 1; i <= 3; i++) {
      t.enqueue({ id: i, owner: `o${i}`, resources: ['a'] });
      const [grant] = t.grantReady();
      tokens.push(grant?.tokens.get('a') as number);
      t.release('a', `o${i}`, tokens[tokens.length - 1] as number);
    }
    expect(tokens).toEqual([1, 2, 3]);
  });

  it('refuses a release under a stale token', () => {
    const t = new LockTable(['a']);
    t.enqueue({ id: 1, owner: 'x', resources: ['a'] });
    t.grantReady();
    expect(t.release('a', 'x', 99)).toBe(false);
    expect(t.holder('a')).toEqual({ owner: 'x', token: 1 });
  });

  it('draws waiters to holders and to earlier waiters in the wait-for graph', () => {
    const t = new LockTable(['a', 'b']);
    t.enqueue({ id: 1, owner: 'x', resources: ['a'] });
    t.grantReady();
    t.enqueue({ id: 2, owner: 'y', resources: ['a', 'b'] });
    t.enqueue({ id: 3, owner: 'z', resources: ['b'] });
    const graph = t.waitForGraph();
    expect([...(graph.get('y') ?? [])]).toEqual(['x']);
    expect([...(graph.get('z') ?? [])]).toEqual(['y']);
  });

  it('keeps holders exclusive, tokens monotonic, and all-or-nothing waiters cycle-free under random operations (property)', () => {
    const names = ['a', 'b', 'c', 'd'];
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('request' as const),
        owner: fc.integer({ min: 0, max: 5 }),
        resources: fc.subarray(names, { minLength: 1 }),
      }),
      fc.record({ kind: fc.constant('release' as const), owner: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ kind: fc.constant('withdraw' as const), owner: fc.integer({ min: 0, max: 5 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const t = new LockTable(names);
        const last = new Map<string, number>();
        let id = 1;
        for (const o of ops) {
          const owner = `o${o.owner}`;
          if (o.kind === 'request') {
            // all-or-nothing users hold nothing while they wait
            if (t.heldBy(owner).length > 0 || t.waitingOf(owner).length > 0) continue;
            t.enqueue({ id: id++, owner, resources: [...o.resources].sort() });
          } else if (o.kind === 'release') {
            for (const r of t.heldBy(owner)) t.release(r, owner, t.holder(r)?.token as number);
          } else {
            for (const w of t.waitingOf(owner)) t.withdraw(w.id);
          }
          for (const grant of t.grantReady()) {
            for (const [r, token] of grant.tokens) {
              expect(token).toBeGreaterThan(last.get(r) ?? 0);
              last.set(r, token);
            }
          }
          const holders = names.map((r) => t.holder(r)?.owner).filter((h) => h !== undefined);
          for (const h of new Set(holders)) expect(t.waitingOf(h)).toEqual([]);
          expect(findAnyCycle(t.waitForGraph())).toBeUndefined();
        }
        // drain: releasing everything must let every waiter through (nobody is stuck)
        for (let round = 0; round < 20 && t.waitingCount > 0; round++) {
          for (const r of names) {
            const h = t.holder(r);
            if (h !== undefined) t.release(r, h.owner, h.token);
          }
          t.grantReady();
        }
        expect(t.waitingCount).toBe(0);
      }),
    );
  });
});
