// An open breaker: when it probes again, how half-open decides, and how the open timeout grows
// and resets.
import { TestClock } from '@warden/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, openDelay } from '../src/index.js';
import { attempt, down, failTimes, ok } from './breaker-helpers.js';

const tripOnFirstFailure = { failure: { threshold: 1 } } as const;

describe('open breaker: the open timeout', () => {
  it('turns half-open when the open timeout ends on the node clock, with one timer per trip', async () => {
    const clock = new TestClock();
    const breaker = new CircuitBreaker({
      ...tripOnFirstFailure,
      clock,
      openTimeout: { initialMs: 1000 },
    });
    await attempt(breaker, down);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(999);
    expect(breaker.state).toBe('open');
    await clock.advance(1);
    expect(breaker.state).toBe('half_open');
    expect(clock.pendingTimers).toBe(0);
  });

  it('doubles the open timeout on each re-open, up to maxMs', async () => {
    const clock = new TestClock();
    const breaker = new CircuitBreaker({
      ...tripOnFirstFailure,
      clock,
      openTimeout: { initialMs: 100, multiplier: 2, maxMs: 350 },
    });
    await attempt(breaker, down);
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const { retryAt } = breaker.stats;
      waits.push((retryAt as number) - clock.now());
      await clock.advance((retryAt as number) - clock.now());
      await attempt(breaker, down);
    }
    expect(waits).toEqual([100, 200, 350, 350]);
    expect(breaker.stats.level).toBe(4);
  });

  it('counts a trip soon after closing as a re-open', async () => {
    const clock = new TestClock();
    const breaker = new CircuitBreaker({
      ...tripOnFirstFailure,
      clock,
      openTimeout: { initialMs: 100, multiplier: 2, resetAfterMs: 1000 },
    });
    await attempt(breaker, down);
    await clock.advance(100);
    await attempt(breaker, ok);
    expect(breaker.state).toBe('closed');
    await clock.advance(999);
    await attempt(breaker, down);
    expect(breaker.stats).toMatchObject({ level: 1, retryAt: clock.now() + 200 });
  });

  it('forgets its re-opens after a closed period of exactly resetAfterMs', async () => {
    const clock = new TestClock();
    const breaker = new CircuitBreaker({
      ...tripOnFirstFailure,
      clock,
      openTimeout: { initialMs: 100, multiplier: 2, resetAfterMs: 1000 },
    });
    await attempt(breaker, down);
    await clock.advance(100);
    await attempt(breaker, down);
    expect(breaker.stats.level).toBe(1);
    await clock.advance(200);
    await attempt(breaker, ok);
    await clock.advance(1000);
    await attempt(breaker, down);
    expect(breaker.stats).toMatchObject({ level: 0, retryAt: clock.now() + 100 });
  });

  it('shortens each open timeout by at most its jitter share, the same way for the same seed', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.99, noNaN: true }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        fc.nat(10),
        (jitter, random, level) => {
          const t = { initialMs: 1000, maxMs: 60_000, multiplier: 2, jitter, resetAfterMs: 0 };
          const base = Math.min(60_000, 1000 * 2 ** level);
          const delay = openDelay(t, level, random);
          expect(delay).toBeLessThanOrEqual(base);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(base * (1 - jitter)));
        },
      ),
    );
    const retryAts = [1, 2].map(() => {
      const breaker = new CircuitBreaker({
        ...tripOnFirstFailure,
        clock: new TestClock(),
        seed: 42,
        openTimeout: { jitter: 0.5 },
      });
      return breaker.execute(down).catch(() => breaker.stats.retryAt);
    });
    return Promise.all(retryAts).then(([a, b]) => {
      expect(a).toBe(b);
      expect(a).toBeLessThan(10_000);
    });
  });
});

describe('half-open breaker: trial calls', () => {
  it('closes after successesToClose trial successes', async () => {
    const clock = new TestClock();
    const breaker = new CircuitBreaker({
      ...tripOnFirstFailure,
      clock,
      halfOpen: { trialCalls: 2, successesToClose: 2 },
      openTimeout: { initialMs: 10 },
    });
    await attempt(breaker, down);
    await clock.advance(10);
    await attempt(breaker, ok);
    expect(breaker.stats).toMatchObject({ state: 'half_open', trials: 1, trialSuccesses: 1 });
    await attempt(breaker, ok);
    expect(breaker.state).toBe('closed');
  });

  it('re-opens on any trial failure', async () => {
    const clock = new TestClock();
    const breaker = new CircuitBreaker({
      ...tripOnFirstFailure,
      clock,
      halfOpen: { trialCalls: 3, successesToClose: 3 },
      openTimeout: { initialMs: 10 },
    });
    await attempt(breaker, down);
    await clock.advance(10);
    await attempt(breaker, ok);
    await attempt(breaker, down);
    expect(breaker.state).toBe('open');
  });

  it('rejects calls beyond its trial calls while they run', async () => {
    const clock = new TestClock();
    const breaker = new CircuitBreaker({
      ...tripOnFirstFailure,
      clock,
      openTimeout: { initialMs: 10 },
    });
    await attempt(breaker, down);
    await clock.advance(10);
    let finish: () => void = () => {};
    const trial = breaker.execute(() => new Promise<void>((resolve) => (finish = resolve)));
    const second = await attempt(breaker, ok);
    expect((second as { code: string }).code).toBe('ERR_BREAKER_OPEN');
    finish();
    await trial;
    expect(breaker.state).toBe('closed');
  });

  it('ignores the outcome of a call that started before the breaker changed state', async () => {
    const clock = new TestClock();
    const breaker = new CircuitBreaker({
      failure: { threshold: 2 },
      clock,
      openTimeout: { initialMs: 10 },
    });
    let finish: () => void = () => {};
    const slow = breaker.execute(() => new Promise<void>((resolve) => (finish = resolve)));
    await failTimes(breaker, 2);
    await clock.advance(10);
    expect(breaker.state).toBe('half_open');
    finish();
    await slow;
    expect(breaker.stats).toMatchObject({ state: 'half_open', trialSuccesses: 0 });
  });
});
