// Issue 5, property tests: for random programs of acquire / release / crash, the mediator never
// grants one resource to two live holders and never deadlocks. Owners are processes on a node;
// some are killed at random points (while waiting, while holding), and the mediator learns it
// only through its monitors (item 49). fast-check's scheduler decides every interleaving.
import { createNode, type NodeEvent, type Pid } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isResilienceError, type Lease, ResourceMediator } from '../src/index.js';

const NAMES = ['a', 'b', 'c'];
const job = fc.record({
  resources: fc.subarray(NAMES, { minLength: 1 }),
  holdSteps: fc.integer({ min: 0, max: 2 }),
  incremental: fc.boolean(),
});
const program = fc.record({
  jobs: fc.array(job, { minLength: 1, maxLength: 3 }),
  /** Killed once the scheduler releases this many of its steps (never, when undefined). */
  killAfter: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
});

describe('ResourceMediator with owners that crash (property)', () => {
  it('never grants a resource held by a live owner, never deadlocks, and frees what the dead held (item 49)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(program, { minLength: 2, maxLength: 4 }),
        async (s, programs) => {
          const clock = new TestClock();
          const node = createNode({ name: 'owners', clock });
          const mediator = new ResourceMediator({
            clock,
            node,
            resources: NAMES,
            timeoutMs: Number.POSITIVE_INFINITY, // a deadlock would hang: the drive would notice
          });
          /** What each live owner believes it holds. A dead owner believes nothing. */
          const inUse = new Map<string, string>();
          const dead = new Set<string>();
          /** Faults seen inside the owners (an owner that throws would just look dead). */
          const faults: string[] = [];
          node.inspect((e: NodeEvent) => {
            if (e.type !== 'actor.exited') return;
            dead.add(e.pid.key);
            if (e.reason !== 'killed' && e.reason !== 'normal') {
              faults.push(`${e.pid.key} exited with ${JSON.stringify(e.reason)}`);
            }
            for (const [r, owner] of inUse) if (owner === e.pid.key) inUse.delete(r);
          });
          const finished = new Set<string>();
          const pids: Pid[] = programs.map((p, i) =>
            node.spawn(async (ctx) => {
              const me = ctx.self.key;
              let steps = 0;
              const step = async (label: string) => {
                await s.schedule(Promise.resolve(`o${i} ${label}`));
                if (p.killAfter !== undefined && ++steps > p.killAfter) {
                  node.exit(ctx.self, 'kill');
                  await new Promise(() => {}); // dead: this code never goes on
                }
              };
              const take = (leases: Lease[]) => {
                for (const l of leases) {
                  const other = inUse.get(l.resource);
                  if (other !== undefined) faults.push(`o${i} got ${l.resource} held by ${other}`);
                  inUse.set(l.resource, me);
                }
              };
              for (const j of p.jobs) {
                await step('arrives');
                const leases: Lease[] = [];
                if (!j.incremental) {
                  const all = await mediator.acquireAll(ctx.self, j.resources, {
                    signal: ctx.signal,
                  });
                  take(all);
                  leases.push(...all);
                } else {
                  try {
                    for (const r of [...j.resources].reverse()) {
                      const lease = await mediator.acquire(ctx.self, r, { signal: ctx.signal });
                      take([lease]);
                      leases.push(lease);
                      await step(`took ${r}`);
                    }
                  } catch (error) {
                    if (!isResilienceError(error, 'ERR_DEADLOCK')) throw error;
                  }
                }
                for (let k = 0; k < j.holdSteps; k++) await step('works');
                for (const l of leases) {
                  inUse.delete(l.resource);
                  l.release();
                }
              }
              finished.add(me);
            }),
          );
          let steps = 0;
          for (; steps < 2000; steps++) {
            await clock.settle();
            // Whatever a dead owner held is free again, or held by someone alive.
            for (const r of NAMES) {
              const holder = mediator.holderOf(r)?.owner;
              if (holder !== undefined)
                expect(dead.has(holder), `${r} held by a dead owner`).toBe(false);
            }
            if (s.count() > 0) await s.waitNext(1);
            else if (!(await clock.advanceToNext())) break;
          }
          expect(steps).toBeLessThan(2000);
          expect(faults).toEqual([]);
          // No deadlock: every owner either finished its program or was killed.
          for (const pid of pids) {
            expect(finished.has(pid.key) || dead.has(pid.key), `${pid.key} is stuck`).toBe(true);
          }
          for (const r of NAMES) expect(mediator.holderOf(r)).toBeUndefined();
          expect(mediator.waitForGraph().size).toBe(0);
          mediator.close();
          await node.stop();
        },
      ),
      { numRuns: 200 },
    );
  });
});
