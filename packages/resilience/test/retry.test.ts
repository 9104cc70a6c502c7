// Issue 5.1: retry with exponential backoff, jitter, attempts, deadline, classifier, Retry-After.
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import {
  isResilienceError,
  type ResilienceEvent,
  RetryBudget,
  type RetryContext,
  retry,
} from '../src/index.js';
import { thrown, track } from './settle.js';

const transient = () => Object.assign(new Error('reset'), { code: 'ECONNRESET' });

/** A dependency that fails `failures` times with `error()`, then answers 'ok'; logs call times. */
function flaky(clock: TestClock, failures: number, error: () => unknown = transient) {
  const calls: number[] = [];
  const fn = (_ctx: RetryContext) => {
    calls.push(clock.now());
    if (calls.length <= failures) throw error();
    return 'ok';
  };
  return { calls, fn };
}

describe('retry: attempts and backoff', () => {
  it('retries transient failures with doubling delays and returns the answer', async () => {
    const clock = new TestClock();
    const dep = flaky(clock, 2);
    const out = track(
      retry({ clock, maxAttempts: 3, baseMs: 100, jitter: 'none' }).execute(dep.fn),
    );
    await clock.advance(1000);
    expect(out.value).toBe('ok');
    expect(dep.calls).toEqual([0, 100, 300]);
  });

  it('passes the attempt number and a signal to each attempt', async () => {
    const clock = new TestClock();
    const seen: number[] = [];
    const out = track(
      retry({ clock, baseMs: 10, jitter: 'none' }).execute(({ attempt, signal }) => {
        expect(signal).toBeInstanceOf(AbortSignal);
        seen.push(attempt);
        if (attempt < 3) throw transient();
        return attempt;
      }),
    );
    await clock.advance(100);
    expect(out.value).toBe(3);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('rethrows a permanent failure at once, unchanged', async () => {
    const clock = new TestClock();
    const bad = Object.assign(new Error('bad request'), { status: 400 });
    const dep = flaky(clock, 5, () => bad);
    const out = track(retry({ clock }).execute(dep.fn));
    await clock.advance(10_000);
    expect(out.error).toBe(bad);
    expect(dep.calls).toHaveLength(1);
  });

  it('gives up after maxAttempts with ERR_RETRIES_EXHAUSTED carrying attempts and the last error', async () => {
    const clock = new TestClock();
    const dep = flaky(clock, 99);
    const out = track(retry({ clock, maxAttempts: 4, baseMs: 10 }).execute(dep.fn));
    await clock.advance(10_000);
    expect(isResilienceError(out.error, 'ERR_RETRIES_EXHAUSTED')).toBe(true);
    expect((out.error as { attempts: number }).attempts).toBe(4);
    expect((out.error as Error).cause).toMatchObject({ code: 'ECONNRESET' });
    expect(dep.calls).toHaveLength(4);
  });

  it('draws full jitter by default from the random source', async () => {
    const clock = new TestClock();
    const dep = flaky(clock, 1);
    track(retry({ clock, baseMs: 1000, random: () => 0.25 }).execute(dep.fn));
    await clock.advance(5000);
    expect(dep.calls).toEqual([0, 250]);
  });

  it('accepts a classifier that answers with a boolean', async () => {
    const clock = new TestClock();
    const dep = flaky(clock, 1, () => new Error('anything'));
    const out = track(retry({ clock, baseMs: 1, classify: () => true }).execute(dep.fn));
    await clock.advance(100);
    expect(out.value).toBe('ok');
  });
});

describe('retry: Retry-After', () => {
  const limited = (seconds: string) =>
    Object.assign(new Error('slow down'), { status: 429, headers: { 'retry-after': seconds } });

  it('waits at least as long as the server asks', async () => {
    const clock = new TestClock();
    const dep = flaky(clock, 1, () => limited('3'));
    const out = track(retry({ clock, baseMs: 100, jitter: 'none' }).execute(dep.fn));
    await clock.advance(10_000);
    expect(out.value).toBe('ok');
    expect(dep.calls).toEqual([0, 3000]);
  });

  it('gives up with ERR_RETRY_DEADLINE when the server asks for more than maxDelayMs', async () => {
    const clock = new TestClock();
    const dep = flaky(clock, 1, () => limited('600'));
    const out = track(retry({ clock, maxDelayMs: 60_000 }).execute(dep.fn));
    await clock.advance(1);
    expect(isResilienceError(out.error, 'ERR_RETRY_DEADLINE')).toBe(true);
    expect(dep.calls).toHaveLength(1);
  });
});

describe('retry: deadline and abort', () => {
  it('aborts a hung attempt through its signal at the overall deadline', async () => {
    const clock = new TestClock();
    let aborted: unknown;
    const out = track(
      retry({ clock, deadlineMs: 5000 }).execute(
        ({ signal }) =>
          new Promise(() => {
            signal.addEventListener('abort', () => (aborted = signal.reason));
          }),
      ),
    );
    await clock.advance(4999);
    expect(out.done).toBe(false);
    await clock.advance(1);
    expect(isResilienceError(out.error, 'ERR_RETRY_DEADLINE')).toBe(true);
    expect(isResilienceError(aborted, 'ERR_RETRY_DEADLINE')).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('does not start a wait that would end past the deadline', async () => {
    const clock = new TestClock();
    const dep = flaky(clock, 99);
    const out = track(
      retry({ clock, maxAttempts: 10, baseMs: 1000, jitter: 'none', deadlineMs: 2500 }).execute(
        dep.fn,
      ),
    );
    await clock.advance(1000);
    // attempts at 0 and 1000; the next wait (2000) would end at 3000 > 2500: give up now.
    expect(dep.calls).toEqual([0, 1000]);
    expect(isResilienceError(out.error, 'ERR_RETRY_DEADLINE')).toBe(true);
  });

  it('stops waiting at once when the caller aborts, leaving no timer armed', async () => {
    const clock = new TestClock();
    const dep = flaky(clock, 99);
    const caller = new AbortController();
    const out = track(
      retry({ clock, baseMs: 1000, jitter: 'none' }).execute(dep.fn, { signal: caller.signal }),
    );
    await clock.advance(10);
    caller.abort('user left');
    await clock.settle();
    expect(isResilienceError(out.error, 'ERR_ABORTED')).toBe(true);
    expect((out.error as Error).cause).toBe('user left');
    expect(dep.calls).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('retry: budget and events', () => {
  it('gives up with ERR_RETRY_BUDGET when the shared budget denies a retry', async () => {
    const clock = new TestClock();
    const budget = new RetryBudget({ clock, ratio: 0, minRetries: 1 });
    const policy = retry({ clock, budget, baseMs: 1, maxAttempts: 5 });
    const first = flaky(clock, 99);
    const out = track(policy.execute(first.fn));
    await clock.advance(100);
    expect(isResilienceError(out.error, 'ERR_RETRY_BUDGET')).toBe(true);
    expect(first.calls).toHaveLength(2); // one request, the single retry the budget allowed
  });

  it('reports every retry and the final verdict as events', async () => {
    const clock = new TestClock();
    const events: ResilienceEvent[] = [];
    const dep = flaky(clock, 99);
    track(
      retry({
        clock,
        maxAttempts: 2,
        baseMs: 50,
        jitter: 'none',
        name: 'model',
        observer: (e) => events.push(e),
      }).execute(dep.fn),
    );
    await clock.advance(1000);
    expect(events).toEqual([
      {
        type: 'retry.scheduled',
        time: 0,
        source: 'model',
        attempt: 2,
        delayMs: 50,
        error: 'ECONNRESET: reset',
      },
      {
        type: 'retry.gave_up',
        time: 50,
        source: 'model',
        attempts: 2,
        reason: 'attempts',
        error: 'ECONNRESET: reset',
      },
    ]);
  });
});

describe('retry: options', () => {
  it.each([
    ['maxAttempts', { maxAttempts: 0 }],
    ['maxAttempts', { maxAttempts: Number.POSITIVE_INFINITY }],
    ['baseMs', { baseMs: -1 }],
    ['maxDelayMs', { baseMs: 100, maxDelayMs: 10 }],
    ['jitter', { jitter: 'random' }],
    ['deadlineMs', { deadlineMs: 0 }],
    ['classify', { classify: 'yes' }],
  ])('rejects a bad %s with ERR_INVALID_OPTION naming it', (field, bad) => {
    const error = thrown(() => retry({ clock: new TestClock(), ...(bad as object) }));
    expect(isResilienceError(error, 'ERR_INVALID_OPTION')).toBe(true);
    expect((error as { field: string }).field).toBe(field);
  });

  it('rejects a missing clock naming it', () => {
    const error = thrown(() => retry({} as never));
    expect((error as { field: string }).field).toBe('clock');
  });
});
