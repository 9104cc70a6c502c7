// breakerMachine (the statechart) and CircuitBreaker (the fast class) apply the same pure policy:
// for random inputs they agree on every transition and every counter.
import type { Clock, TimerHandle } from '@warden/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { type BreakerInput, breakerMachine, CircuitBreaker } from '../src/index.js';
import { policyOptions } from './breaker-arbitraries.js';

/** A clock the test moves by hand; it keeps the one pending timer so the test can fire it. */
class HandClock implements Clock {
  t = 0;
  pending: { at: number; fire: () => void } | undefined = undefined;
  now(): number {
    return this.t;
  }
  setTimer(delayMs: number, fire: () => void): TimerHandle {
    const timer = { at: this.t + delayMs, fire };
    this.pending = timer;
    return timer;
  }
  clearTimer(handle: TimerHandle): void {
    if (this.pending === handle) this.pending = undefined;
  }
}

type Op =
  | { op: 'acquire' }
  | { op: 'success' | 'failure' | 'release'; which: number }
  | { op: 'isolate' | 'reset' | 'timer' }
  | { op: 'advance'; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.constant({ op: 'acquire' as const }), weight: 4 },
  {
    arbitrary: fc.record({
      op: fc.constantFrom('success' as const, 'failure' as const, 'release' as const),
      which: fc.nat(),
    }),
    weight: 6,
  },
  { arbitrary: fc.constantFrom({ op: 'isolate' as const }, { op: 'reset' as const }), weight: 1 },
  { arbitrary: fc.constant({ op: 'timer' as const }), weight: 2 },
  {
    arbitrary: fc.record({
      op: fc.constant('advance' as const),
      ms: fc.integer({ min: 0, max: 2500 }),
    }),
    weight: 2,
  },
);

describe('breaker machine and class agree', () => {
  it('make the same transition and keep the same counters for any inputs, jitter included', () => {
    fc.assert(
      fc.property(
        policyOptions(fc.constantFrom(0, 0.1, 0.5)),
        fc.nat(),
        fc.array(op, { maxLength: 60 }),
        (options, seed, ops) => {
          const clock = new HandClock();
          const breaker = new CircuitBreaker({ ...options, clock, seed });
          let [snapshot] = initialTransition(breakerMachine, { options, seed });
          const permits: number[] = [];
          const feed = (input: BreakerInput): void => {
            [snapshot] = transition(breakerMachine, snapshot, input);
          };
          for (const o of ops) {
            const now = clock.t;
            if (o.op === 'acquire') {
              const permit = breaker.tryAcquire();
              feed({ type: 'breaker.acquire', now });
              if (permit >= 0) permits.push(permit);
            } else if (o.op === 'success' || o.op === 'failure' || o.op === 'release') {
              if (permits.length === 0) continue;
              const [permit] = permits.splice(o.which % permits.length, 1) as [number];
              breaker.settle(permit, o.op);
              feed({ type: `breaker.${o.op}`, now, epoch: permit });
            } else if (o.op === 'isolate') {
              breaker.isolate();
              feed({ type: 'breaker.isolate', now });
            } else if (o.op === 'reset') {
              breaker.reset();
              feed({ type: 'breaker.reset', now });
            } else if (o.op === 'timer') {
              const timer = clock.pending;
              if (timer === undefined) continue;
              clock.t = Math.max(clock.t, timer.at);
              clock.pending = undefined;
              timer.fire();
              feed({ type: 'breaker.retry', now: clock.t });
            } else if (o.op === 'advance') {
              clock.t += o.ms;
            }
            expect(snapshot.value).toBe(breaker.state);
            expect(snapshot.context.breaker).toEqual(breaker.toJSON().breaker);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('arms an open timeout in the machine that matches the class timer', () => {
    const clock = new HandClock();
    const options = { failure: { threshold: 1 }, openTimeout: { initialMs: 250 } } as const;
    const breaker = new CircuitBreaker({ ...options, clock });
    let [snapshot] = initialTransition(breakerMachine, { options });
    const permit = breaker.tryAcquire();
    breaker.settle(permit, 'failure');
    [snapshot] = transition(breakerMachine, snapshot, { type: 'breaker.acquire', now: 0 });
    const [opened, actions] = transition(breakerMachine, snapshot, {
      type: 'breaker.failure',
      now: 0,
      epoch: permit,
    });
    expect(opened.value).toBe('open');
    const delayed = actions.find((a) => a.type === 'xstate.raise') as {
      params?: { delay?: number };
    };
    expect(delayed?.params?.delay).toBe(250);
    expect(clock.pending?.at).toBe(250);
  });
});
