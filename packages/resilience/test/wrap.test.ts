// Issue 5.3: policies compose through one wrap(...) that threads the signal.
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import {
  bulkhead,
  isResilienceError,
  type PolicyLike,
  retry,
  timeout,
  wrap,
} from '../src/index.js';
import { track } from './settle.js';

/** A stand-in for the machines breaker: its work takes the bare signal, and it has a fallback. */
function breakerLike(log: string[]): PolicyLike {
  return {
    async execute<T>(
      fn: (signal: AbortSignal) => PromiseLike<T> | T,
      options?: { signal?: AbortSignal },
    ) {
      log.push('breaker');
      return fn(options?.signal ?? new AbortController().signal);
    },
  };
}

describe('wrap', () => {
  it('runs the layers outermost first and the work innermost', async () => {
    const clock = new TestClock();
    const log: string[] = [];
    const policy = wrap(
      retry({ clock }),
      breakerLike(log),
      timeout(1000, { clock }),
      bulkhead({ clock, maxConcurrent: 1 }),
    );
    const out = track(
      policy.execute(() => {
        log.push('work');
        return 7;
      }),
    );
    await clock.settle();
    expect(out.value).toBe(7);
    expect(log).toEqual(['breaker', 'work']);
  });

  it('retries a timed-out attempt: the timeout aborts the attempt, the retry tries again', async () => {
    const clock = new TestClock();
    const starts: number[] = [];
    const aborted: number[] = [];
    const policy = wrap(
      retry({ clock, maxAttempts: 2, baseMs: 10, jitter: 'none' }),
      timeout(100, { clock }),
    );
    const out = track(
      policy.execute(({ signal }) => {
        starts.push(clock.now());
        if (starts.length === 2) return 'second time lucky';
        return new Promise(() => {
          signal.addEventListener('abort', () => aborted.push(clock.now()));
        });
      }),
    );
    await clock.advance(1000);
    expect(out.value).toBe('second time lucky');
    expect(starts).toEqual([0, 110]);
    expect(aborted).toEqual([100]);
  });

  it("threads the caller's signal through every layer down to the work", async () => {
    const clock = new TestClock();
    const caller = new AbortController();
    let seen: AbortSignal | undefined;
    const policy = wrap(
      breakerLike([]),
      timeout(10_000, { clock }),
      bulkhead({ clock, maxConcurrent: 1 }),
    );
    const out = track(
      policy.execute(
        ({ signal }) => {
          seen = signal;
          return new Promise(() => {});
        },
        { signal: caller.signal },
      ),
    );
    await clock.settle();
    caller.abort('stop');
    await clock.settle();
    expect(seen?.aborted).toBe(true);
    expect(isResilienceError(out.error, 'ERR_ABORTED')).toBe(true);
  });

  it('with no policies, simply runs the work', async () => {
    expect(await wrap().execute(() => 'plain')).toBe('plain');
  });
});
