// Half-open lets through exactly N trial calls, whatever the interleaving of 50
// concurrent callers, with the CircuitBreaker itself and through a shared breaker actor.
import { type Address, createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BreakerCaller,
  type BreakerGrant,
  type BreakerStateName,
  breakerActor,
  CircuitBreaker,
  callThroughBreaker,
} from '../src/index.js';

const CALLERS = 50;

/** Counts trial calls per half-open period: reset whenever the breaker turns half-open. */
class TrialCounter {
  inThisPeriod = 0;
  most = 0;
  constructor(readonly stateOf: () => BreakerStateName) {}
  enter(): void {
    if (this.stateOf() !== 'half_open') return;
    this.inThisPeriod++;
    this.most = Math.max(this.most, this.inThisPeriod);
  }
  halfOpened(): void {
    this.inThisPeriod = 0;
  }
}

/**
 * Runs the scheduler until every call has ended. Calls reach the scheduler in turns (a grant from
 * an actor arrives after the node has run), so one `waitAll` may end before later tasks exist.
 */
async function drain(s: fc.Scheduler, clock: TestClock, calls: Promise<unknown>[]): Promise<void> {
  let done = false;
  const all = Promise.all(calls).then(() => {
    done = true;
  });
  for (let turn = 0; turn < 1000 && !done; turn++) {
    await s.waitAll();
    await clock.settle();
  }
  await all;
}

const trialSettings = fc.integer({ min: 1, max: 5 }).chain((trialCalls) =>
  fc.record({
    trialCalls: fc.constant(trialCalls),
    successesToClose: fc.integer({ min: 1, max: trialCalls }),
    outcomes: fc.array(fc.boolean(), { minLength: CALLERS, maxLength: CALLERS }),
  }),
);

describe('half-open trial calls under concurrency', () => {
  it('never lets more than N trial calls through among 50 concurrent callers, across 1,000 interleavings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        trialSettings,
        async (s, { trialCalls, successesToClose, outcomes }) => {
          const clock = new TestClock();
          const breaker = new CircuitBreaker({
            clock,
            failure: { threshold: 1 },
            halfOpen: { trialCalls, successesToClose },
            openTimeout: { initialMs: 100 },
          });
          await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => {});
          await clock.advance(100);
          expect(breaker.state).toBe('half_open');
          const trials = new TrialCounter(() => breaker.state);
          breaker.onStateChange((state) => state === 'half_open' && trials.halfOpened());
          const calls = outcomes.map((ok, i) =>
            s
              .schedule(Promise.resolve(i), `caller ${i}`)
              .then(() =>
                breaker.execute(async () => {
                  trials.enter();
                  await s.schedule(Promise.resolve(), `call ${i} ends`);
                  if (!ok) throw new Error('still down');
                  return i;
                }),
              )
              .catch(() => undefined),
          );
          await drain(s, clock, calls);
          expect(trials.most).toBeGreaterThanOrEqual(1);
          expect(trials.most).toBeLessThanOrEqual(trialCalls);
          breaker.dispose();
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never grants more than N trial permits from a shared breaker actor among 50 concurrent callers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        trialSettings,
        async (s, { trialCalls, successesToClose, outcomes }) => {
          const clock = new TestClock();
          const node = createNode({ name: 'race', clock });
          const pid = node.spawn(
            breakerActor({
              failure: { threshold: 1 },
              halfOpen: { trialCalls, successesToClose },
              openTimeout: { initialMs: 100 },
            }),
          );
          await callThroughBreaker(node, pid, () => Promise.reject(new Error('down'))).catch(
            () => {},
          );
          await clock.advance(100);
          // Time stands still from here, so there is one half-open period: count its trial grants.
          let trialGrants = 0;
          const caller: BreakerCaller = {
            clock: node.clock,
            cast: (to, message) => node.cast(to, message),
            call: async <R>(to: Address, request: unknown) => {
              const answer = await node.call<BreakerGrant>(to, request);
              if (answer.granted && answer.ticket !== 0) trialGrants++;
              return answer as R;
            },
          };
          const calls = outcomes.map((ok, i) =>
            s
              .schedule(Promise.resolve(i), `caller ${i}`)
              .then(() =>
                callThroughBreaker(caller, pid, async () => {
                  await s.schedule(Promise.resolve(), `call ${i} ends`);
                  if (!ok) throw new Error('still down');
                  return i;
                }),
              )
              .catch(() => undefined),
          );
          await drain(s, clock, calls);
          expect(trialGrants).toBeGreaterThanOrEqual(1);
          expect(trialGrants).toBeLessThanOrEqual(trialCalls);
          await node.stop();
        },
      ),
      { numRuns: 200 },
    );
  });
});
