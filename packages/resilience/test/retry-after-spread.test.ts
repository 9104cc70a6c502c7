// retry: a Retry-After spread above the server's figure, so that clients told the same time do
// not all come back at that one instant.
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { isResilienceError, RETRY_DEFAULTS, retry } from '../src/index.js';
import { thrown } from './settle.js';

const limited = (seconds: string) =>
  Object.assign(new Error('slow down'), { status: 429, headers: { 'retry-after': seconds } });

/** `clients` callers that each get one 429 with `Retry-After: 2`, then an answer. */
async function herdRetryTimes(spread: number | undefined, clients: number): Promise<number[]> {
  const clock = new TestClock();
  let seed = 7;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return (seed - 1) / 2147483646;
  };
  const policy = retry({
    clock,
    baseMs: 10,
    maxDelayMs: 10_000,
    random,
    ...(spread === undefined ? {} : { retryAfterSpread: spread }),
  });
  const retries: number[] = [];
  const done = Array.from({ length: clients }, () => {
    let calls = 0;
    return policy.execute(() => {
      if (calls++ === 0) throw limited('2');
      retries.push(clock.now());
      return 'ok';
    });
  });
  await clock.advance(20_000);
  expect(await Promise.all(done)).toEqual(Array(clients).fill('ok'));
  return retries;
}

describe('retry: Retry-After spread', () => {
  it('brings every client back at the same instant without a spread (the default)', async () => {
    expect(RETRY_DEFAULTS.retryAfterSpread).toBe(0);
    const times = await herdRetryTimes(undefined, 20);
    expect(new Set(times)).toEqual(new Set([2000]));
  });

  it('spreads the returns over [after, after x (1 + spread)) and never earlier', async () => {
    const times = await herdRetryTimes(1, 20);
    for (const t of times) {
      expect(t).toBeGreaterThanOrEqual(2000);
      expect(t).toBeLessThan(4000);
    }
    expect(new Set(times).size).toBeGreaterThan(15);
  });

  it('caps a spread wait at maxDelayMs', async () => {
    const clock = new TestClock();
    const calls: number[] = [];
    const out = retry({
      clock,
      maxDelayMs: 2500,
      retryAfterSpread: 10,
      random: () => 0.99,
    }).execute(() => {
      calls.push(clock.now());
      if (calls.length === 1) throw limited('2');
      return 'ok';
    });
    await clock.advance(10_000);
    expect(await out).toBe('ok');
    expect(calls).toEqual([0, 2500]);
  });

  it('rejects a negative spread naming the option', () => {
    const error = thrown(() => retry({ clock: new TestClock(), retryAfterSpread: -1 }));
    expect(isResilienceError(error, 'ERR_INVALID_OPTION')).toBe(true);
    expect(String((error as Error).message)).toContain('retryAfterSpread');
  });
});
