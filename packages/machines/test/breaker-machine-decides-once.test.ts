// The breaker machine decides each event once: its guards and its action read one run of the
// pure policy, never a second that could disagree with the first.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { initialTransition, transition } from 'xstate';
import type { BreakerInput } from '../src/index.js';
import { policyOptions } from './breaker-arbitraries.js';

const runs = vi.hoisted(() => ({ count: 0 }));

vi.mock('../src/breaker/breaker-policy.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/breaker/breaker-policy.js')>();
  return {
    ...original,
    applyInput: (...args: Parameters<typeof original.applyInput>) => {
      runs.count++;
      original.applyInput(...args);
    },
  };
});

const { breakerMachine } = await import('../src/index.js');

const input = fc.constantFrom<(now: number, epoch: number) => BreakerInput>(
  (now: number) => ({ type: 'breaker.acquire', now }) as const,
  (now: number, epoch: number) => ({ type: 'breaker.success', now, epoch }) as const,
  (now: number, epoch: number) => ({ type: 'breaker.failure', now, epoch }) as const,
  (now: number, epoch: number) => ({ type: 'breaker.release', now, epoch }) as const,
  (now: number) => ({ type: 'breaker.retry', now }) as const,
  (now: number) => ({ type: 'breaker.isolate', now }) as const,
  (now: number) => ({ type: 'breaker.reset', now }) as const,
);

describe('breaker machine decisions', () => {
  it('runs the policy at most once per event, whatever the guards ask (property)', () => {
    fc.assert(
      fc.property(
        policyOptions(fc.constantFrom(0, 0.5)),
        fc.array(fc.tuple(input, fc.integer({ min: 0, max: 3000 })), { maxLength: 40 }),
        (options, steps) => {
          let [snapshot] = initialTransition(breakerMachine, { options });
          let now = 0;
          for (const [make, dt] of steps) {
            now += dt;
            const event = make(now, snapshot.context.breaker.epoch);
            runs.count = 0;
            const [next] = transition(breakerMachine, snapshot, event);
            expect(runs.count).toBeLessThanOrEqual(1);
            expect(next.value).toBe(next.context.breaker.state);
            snapshot = next;
          }
        },
      ),
    );
  });

  it('decides a tripping failure once: the guard and the action read the same run', () => {
    let [snapshot] = initialTransition(breakerMachine, {
      options: { failure: { threshold: 1 } },
    });
    [snapshot] = transition(breakerMachine, snapshot, { type: 'breaker.acquire', now: 0 });
    runs.count = 0;
    const [opened] = transition(breakerMachine, snapshot, {
      type: 'breaker.failure',
      now: 0,
      epoch: snapshot.context.breaker.epoch,
    });
    expect(opened.value).toBe('open');
    expect(runs.count).toBe(1);
  });
});
