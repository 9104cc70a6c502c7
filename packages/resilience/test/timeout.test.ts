// Issue 5.2: a deadline that aborts the work through its signal and fails with a typed error.
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { isResilienceError, type ResilienceEvent, timeout, withTimeout } from '../src/index.js';
import { thrown, track } from './settle.js';

describe('timeout', () => {
  it('resolves with the work when it finishes in time and clears its timer', async () => {
    const clock = new TestClock();
    const out = track(timeout(1000, { clock }).execute(() => Promise.resolve(42)));
    await clock.settle();
    expect(out.value).toBe(42);
    expect(clock.pendingTimers).toBe(0);
  });

  it('aborts the work through its signal and rejects with ERR_TIMEOUT at the deadline', async () => {
    const clock = new TestClock();
    let reason: unknown;
    const events: ResilienceEvent[] = [];
    const out = track(
      timeout(1000, { clock, observer: (e) => events.push(e) }).execute(
        ({ signal }) =>
          new Promise(() => {
            signal.addEventListener('abort', () => (reason = signal.reason));
          }),
      ),
    );
    await clock.advance(999);
    expect(out.done).toBe(false);
    await clock.advance(1);
    expect(isResilienceError(out.error, 'ERR_TIMEOUT')).toBe(true);
    expect(reason).toBe(out.error);
    expect(events).toEqual([
      { type: 'timeout.fired', time: 1000, source: 'timeout', timeoutMs: 1000 },
    ]);
  });

  it('rejects at the deadline even when the work ignores its signal', async () => {
    const clock = new TestClock();
    const out = track(withTimeout(() => new Promise(() => {}), 50, { clock }));
    await clock.advance(50);
    expect(isResilienceError(out.error, 'ERR_TIMEOUT')).toBe(true);
  });

  it("rejects with ERR_ABORTED when the caller's signal fires first", async () => {
    const clock = new TestClock();
    const caller = new AbortController();
    let workAborted = false;
    const out = track(
      withTimeout(
        ({ signal }) =>
          new Promise(() => {
            signal.addEventListener('abort', () => (workAborted = true));
          }),
        1000,
        { clock, signal: caller.signal },
      ),
    );
    caller.abort();
    await clock.settle();
    expect(isResilienceError(out.error, 'ERR_ABORTED')).toBe(true);
    expect(workAborted).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('passes a failure of the work through unchanged', async () => {
    const clock = new TestClock();
    const boom = new Error('boom');
    const out = track(timeout(10, { clock }).execute(() => Promise.reject(boom)));
    await clock.settle();
    expect(out.error).toBe(boom);
  });

  it('rejects a negative timeout naming the field', () => {
    const error = thrown(() => timeout(-1, { clock: new TestClock() }));
    expect((error as { field: string }).field).toBe('timeoutMs');
  });
});
