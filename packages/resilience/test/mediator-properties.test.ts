// Issue 5.4: under random interleavings, the mediator never grants conflicting locks, and
// all-or-nothing acquisition never deadlocks; incremental acquirers that would deadlock are told.
import { TestClock } from '@warden/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isResilienceError, type Lease, ResourceMediator } from '../src/index.js';

const NAMES = ['a', 'b', 'c', 'd'];
const job = fc.record({
  resources: fc.subarray(NAMES, { minLength: 1 }),
  holdSteps: fc.integer({ min: 0, max: 3 }),
  incremental: fc.boolean(),
});

describe('ResourceMediator under random interleavings (property)', () => {
  it('never lets two owners hold one resource, and every owner finishes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.array(job, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 5 }),
        async (s, owners) => {
          const mediator = new ResourceMediator({
            clock: new TestClock(),
            resources: NAMES,
            timeoutMs: Number.POSITIVE_INFINITY,
          });
          const inUse = new Map<string, string>();
          let deadlocks = 0;
          const enter = (owner: string, leases: Lease[]) => {
            for (const l of leases) {
              expect(
                inUse.get(l.resource),
                `${owner} got ${l.resource} held by ${inUse.get(l.resource)}`,
              ).toBeUndefined();
              inUse.set(l.resource, owner);
            }
          };
          const leave = (leases: Lease[]) => {
            for (const l of leases) {
              inUse.delete(l.resource);
              l.release();
            }
          };
          const runs = owners.map(async (jobs, i) => {
            const owner = `o${i}`;
            for (const j of jobs) {
              await s.schedule(Promise.resolve(`${owner} arrives`));
              let leases: Lease[] = [];
              if (!j.incremental) {
                leases = await mediator.acquireAll(owner, j.resources);
                enter(owner, leases);
              } else {
                // one at a time, in a random order: may be told ERR_DEADLOCK, then backs off
                try {
                  for (const r of [...j.resources].reverse()) {
                    const lease = await mediator.acquire(owner, r);
                    enter(owner, [lease]);
                    leases.push(lease);
                    await s.schedule(Promise.resolve(`${owner} took ${r}`));
                  }
                } catch (error) {
                  if (!isResilienceError(error, 'ERR_DEADLOCK')) throw error;
                  deadlocks++;
                }
              }
              for (let k = 0; k < j.holdSteps; k++)
                await s.schedule(Promise.resolve(`${owner} works`));
              leave(leases);
            }
          });
          await s.waitFor(Promise.all(runs));
          expect(inUse.size).toBe(0);
          for (const r of NAMES) expect(mediator.holderOf(r)).toBeUndefined();
          if (owners.every((jobs) => jobs.every((j) => !j.incremental))) expect(deadlocks).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
