// Incident replay: a retry storm. 100 callers hit a failing dependency. Without a
// retry budget every caller retries to its limit and the retries multiply the load on the
// dependency; with a shared budget the retries stay under the configured fraction of requests.
import { TestClock } from '@warden/core/testing';
import {
  isResilienceError,
  type ResilienceEvent,
  RetryBudget,
  type RetryPolicy,
  retry,
} from '@warden/resilience';
import { describe, expect, it } from 'vitest';

const CALLERS = 100;
const MAX_ATTEMPTS = 4;

/** A seeded generator, so that jitter replays the same way every time. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

interface Storm {
  /** Calls that reached the dependency: first attempts and retries. */
  readonly load: number;
  readonly failures: Map<string, number>;
  readonly events: ResilienceEvent[];
  readonly finishedBy: number;
}

/** 100 callers arrive one every 100 ms; the dependency answers 503 to everything for a minute. */
async function storm(
  policyFor: (events: ResilienceEvent[], clock: TestClock) => RetryPolicy,
): Promise<Storm> {
  const clock = new TestClock();
  const events: ResilienceEvent[] = [];
  const policy = policyFor(events, clock);
  let load = 0;
  const dependency = () => {
    load++;
    throw Object.assign(new Error('service unavailable'), { status: 503 });
  };
  const failures = new Map<string, number>();
  let finishedBy = 0;
  const calls: Promise<void>[] = [];
  for (let i = 0; i < CALLERS; i++) {
    calls.push(
      policy.execute(dependency).then(
        () => {},
        (error: { code?: string }) => {
          const code = isResilienceError(error) ? error.code : String(error);
          failures.set(code, (failures.get(code) ?? 0) + 1);
          finishedBy = clock.now();
        },
      ),
    );
    await clock.advance(100);
  }
  await clock.advance(60_000);
  await Promise.all(calls);
  return { load, failures, events, finishedBy };
}

describe('retry storm', () => {
  it('without a budget, retries multiply the load on the failing dependency', async () => {
    const result = await storm((events, clock) =>
      retry({
        clock,
        maxAttempts: MAX_ATTEMPTS,
        baseMs: 200,
        random: seeded(1),
        observer: (e) => events.push(e),
      }),
    );
    expect(result.load).toBe(CALLERS * MAX_ATTEMPTS); // 400 calls for 100 requests: 4x the load
    expect(result.failures).toEqual(new Map([['ERR_RETRIES_EXHAUSTED', CALLERS]]));
    expect(result.events.filter((e) => e.type === 'retry.scheduled')).toHaveLength(
      CALLERS * (MAX_ATTEMPTS - 1),
    );
  });

  it('with a shared budget of 10%, retries stay under 10% of the requests', async () => {
    const result = await storm((events, clock) => {
      const budget = new RetryBudget({
        clock,
        ratio: 0.1,
        minRetries: 0,
        windowMs: 10_000,
        observer: (e) => events.push(e),
      });
      return retry({
        clock,
        budget,
        maxAttempts: MAX_ATTEMPTS,
        baseMs: 200,
        random: seeded(1),
        observer: (e) => events.push(e),
      });
    });
    const retries = result.load - CALLERS;
    expect(retries).toBeGreaterThan(0); // the budget lets some retries through...
    expect(retries).toBeLessThanOrEqual(0.1 * CALLERS); // ...but never more than 10% of the requests
    expect(result.load).toBeLessThanOrEqual(110);
    // Every caller is told: most fail fast on the budget instead of waiting out three backoffs.
    const denied = result.failures.get('ERR_RETRY_BUDGET') ?? 0;
    expect(denied + (result.failures.get('ERR_RETRIES_EXHAUSTED') ?? 0)).toBe(CALLERS);
    expect(denied).toBeGreaterThanOrEqual(CALLERS - 10);
    expect(result.events.filter((e) => e.type === 'retry.budget_denied')).toHaveLength(denied);
    expect(
      result.events.filter((e) => e.type === 'retry.gave_up' && e.reason === 'budget'),
    ).toHaveLength(denied);
  });

  it('with a budget, the same storm ends sooner: denied callers do not sit in backoff', async () => {
    const plain = await storm((_events, clock) =>
      retry({ clock, maxAttempts: MAX_ATTEMPTS, baseMs: 200, jitter: 'none' }),
    );
    const budgeted = await storm((_events, clock) =>
      retry({
        clock,
        budget: new RetryBudget({ clock, ratio: 0.1, minRetries: 0 }),
        maxAttempts: MAX_ATTEMPTS,
        baseMs: 200,
        jitter: 'none',
      }),
    );
    // Without jitter or budget the last caller finishes 200 + 400 + 800 ms after it arrived.
    expect(plain.finishedBy).toBe(99 * 100 + 1400);
    expect(budgeted.finishedBy).toBeLessThan(plain.finishedBy);
  });
});
