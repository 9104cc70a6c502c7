// The circuit breaker against a naive reference model: for any sequence of successes,
// failures, timeouts and time advances, state and counters agree after every step.
import { TestClock } from '@warden/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BreakerPolicyOptions, CircuitBreaker, isMachinesError } from '../src/index.js';
import { policyOptions } from './breaker-arbitraries.js';
import { BreakerModel } from './breaker-reference-model.js';

type Command =
  | { kind: 'success' }
  | { kind: 'failure' }
  | { kind: 'timeout' }
  | { kind: 'advance'; ms: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.constant({ kind: 'success' as const }),
  fc.constant({ kind: 'failure' as const }),
  fc.constant({ kind: 'timeout' as const }),
  fc.record({
    kind: fc.constant('advance' as const),
    ms: fc.oneof(fc.constantFrom(0, 10, 90, 100, 1000), fc.integer({ min: 0, max: 3000 })),
  }),
);

/** A call that never ends by itself: it rejects only when its signal aborts. */
const hang = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));

async function step(
  breaker: CircuitBreaker,
  model: BreakerModel,
  clock: TestClock,
  c: Command,
): Promise<void> {
  const timeoutMs = breaker.policy.callTimeoutMs as number;
  if (c.kind === 'advance') {
    await clock.advance(c.ms);
    model.advanceTo(clock.now());
    return;
  }
  const admitted = model.admit();
  const call =
    c.kind === 'success'
      ? breaker.execute(async () => 'ok')
      : c.kind === 'failure'
        ? breaker.execute(async () => Promise.reject(new Error('boom')))
        : breaker.execute(hang);
  const settled = call.then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error }),
  );
  if (admitted && c.kind === 'timeout') {
    await clock.advance(timeoutMs);
    model.advanceTo(clock.now());
  }
  const { value, error } = await settled;
  if (!admitted) {
    expect(isMachinesError(error, 'ERR_BREAKER_OPEN')).toBe(true);
    if (model.state === 'open') expect((error as { retryAt: number }).retryAt).toBe(model.retryAt);
    return;
  }
  if (c.kind === 'success') expect(value).toBe('ok');
  if (c.kind === 'timeout') expect(isMachinesError(error, 'ERR_BREAKER_TIMEOUT')).toBe(true);
  model.record(c.kind !== 'success');
}

function expectAgreement(breaker: CircuitBreaker, model: BreakerModel): void {
  const stats = breaker.stats;
  const window = model.window();
  expect({
    state: stats.state,
    consecutiveFailures: stats.consecutiveFailures,
    calls: stats.calls,
    failures: stats.failures,
    trials: stats.trials,
    trialSuccesses: stats.trialSuccesses,
    level: stats.level,
    retryAt: stats.retryAt,
  }).toEqual({
    state: model.state,
    consecutiveFailures: model.consecutiveFailures,
    calls: window.calls,
    failures: window.failures,
    trials: model.trials,
    trialSuccesses: model.trialSuccesses,
    level: model.level,
    retryAt: model.state === 'open' ? model.retryAt : undefined,
  });
}

describe('circuit breaker reference model', () => {
  it('matches the reference model in state and counters for any calls, timeouts and time advances', async () => {
    await fc.assert(
      fc.asyncProperty(
        policyOptions(),
        fc.array(command, { maxLength: 40 }),
        async (options, commands) => {
          const clock = new TestClock();
          const breaker = new CircuitBreaker({ ...options, clock });
          const model = new BreakerModel(options as Required<BreakerPolicyOptions>);
          for (const c of commands) {
            await step(breaker, model, clock, c);
            expectAgreement(breaker, model);
          }
          breaker.dispose();
          expect(clock.pendingTimers).toBe(0);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
