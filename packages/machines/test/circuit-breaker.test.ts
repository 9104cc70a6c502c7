// CircuitBreaker while closed, and how calls run through it.
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, isMachinesError } from '../src/index.js';
import { attempt, down, failTimes, hang, ok } from './breaker-helpers.js';

describe('closed breaker: failure policies', () => {
  it('trips after `threshold` consecutive failures and then fails fast with ERR_BREAKER_OPEN carrying retryAt', async () => {
    const clock = new TestClock(1000);
    const breaker = new CircuitBreaker({
      clock,
      failure: { threshold: 3 },
      openTimeout: { initialMs: 5000 },
    });
    await failTimes(breaker, 2);
    expect(breaker.state).toBe('closed');
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('open');
    let ran = false;
    const error = await attempt(breaker, async () => {
      ran = true;
    });
    expect(ran).toBe(false);
    expect(isMachinesError(error, 'ERR_BREAKER_OPEN')).toBe(true);
    expect((error as { retryAt: number }).retryAt).toBe(6000);
  });

  it('starts the consecutive count again after a success', async () => {
    const breaker = new CircuitBreaker({ clock: new TestClock(), failure: { threshold: 2 } });
    await failTimes(breaker, 1);
    await attempt(breaker, ok);
    await failTimes(breaker, 1);
    expect(breaker.stats).toMatchObject({ state: 'closed', consecutiveFailures: 1 });
  });

  it('trips on the failure rate of the last `size` calls once `minimumCalls` were seen (count window)', async () => {
    const breaker = new CircuitBreaker({
      clock: new TestClock(),
      failure: { kind: 'count-window', size: 4, minimumCalls: 4, rate: 0.5 },
    });
    await failTimes(breaker, 2);
    await attempt(breaker, ok);
    expect(breaker.stats).toMatchObject({ state: 'closed', calls: 3, failures: 2 });
    await attempt(breaker, ok);
    expect(breaker.state).toBe('open');
  });

  it('slides the count window: the oldest outcome leaves when a new one comes', async () => {
    const breaker = new CircuitBreaker({
      clock: new TestClock(),
      failure: { kind: 'count-window', size: 3, minimumCalls: 3, rate: 0.7 },
    });
    await failTimes(breaker, 1);
    for (let i = 0; i < 3; i++) await attempt(breaker, ok);
    expect(breaker.stats).toMatchObject({ calls: 3, failures: 0 });
  });

  it('forgets failures older than the time window on the node clock', async () => {
    const clock = new TestClock();
    const breaker = new CircuitBreaker({
      clock,
      failure: { kind: 'time-window', windowMs: 1000, buckets: 10, minimumCalls: 3, rate: 0.5 },
    });
    await failTimes(breaker, 2);
    await clock.advance(1000);
    expect(breaker.stats).toMatchObject({ calls: 0, failures: 0 });
    await failTimes(breaker, 1);
    await attempt(breaker, ok);
    await attempt(breaker, ok);
    expect(breaker.state).toBe('closed');
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('open');
  });

  it('counts errors that `isFailure` rejects as successes', async () => {
    const breaker = new CircuitBreaker({
      clock: new TestClock(),
      failure: { threshold: 1 },
      isFailure: (error) => !(error instanceof RangeError),
    });
    const error = await attempt(breaker, async () => {
      throw new RangeError('bad request');
    });
    expect(error).toBeInstanceOf(RangeError);
    expect(breaker.state).toBe('closed');
  });
});

describe('calls through the breaker', () => {
  it('arms no timer for a call when no call timeout is set', async () => {
    const clock = new TestClock();
    const breaker = new CircuitBreaker({ clock });
    let pending = -1;
    await breaker.execute(async () => {
      pending = clock.pendingTimers;
    });
    expect(pending).toBe(0);
  });

  it('records the outcome before the caller sees the result, for a promise, a value and a throw', async () => {
    const breaker = new CircuitBreaker({
      clock: new TestClock(),
      failure: { kind: 'count-window', size: 10, minimumCalls: 5 },
    });
    const seen: number[] = [];
    await breaker.execute(async () => 1).then(() => seen.push(breaker.stats.calls));
    await breaker.execute(() => 2).then(() => seen.push(breaker.stats.calls));
    const thrown = breaker.execute(() => {
      throw new Error('down');
    });
    seen.push(breaker.stats.calls);
    await thrown.catch(() => seen.push(breaker.stats.failures));
    expect(seen).toEqual([1, 2, 3, 1]);
  });

  it('trips on a rejected call before its caller sees the rejection', async () => {
    const breaker = new CircuitBreaker({ clock: new TestClock(), failure: { threshold: 1 } });
    const state = await breaker.execute(down).catch(() => breaker.state);
    expect(state).toBe('open');
  });

  it("hands the caller a promise of its own, not the call's: a rejection the caller ignores stays unhandled", async () => {
    const breaker = new CircuitBreaker({ clock: new TestClock() });
    const inner = Promise.resolve(7);
    const outer = breaker.execute(() => inner);
    expect(outer).not.toBe(inner);
    expect(await outer).toBe(7);
  });

  it('aborts a call slower than callTimeoutMs through its signal and counts it as a failure', async () => {
    const clock = new TestClock();
    const breaker = new CircuitBreaker({ clock, failure: { threshold: 1 }, callTimeoutMs: 200 });
    let signal: AbortSignal | undefined;
    const call = attempt(breaker, (s) => {
      signal = s;
      return hang(s);
    });
    await clock.advance(199);
    expect(signal?.aborted).toBe(false);
    await clock.advance(1);
    const error = await call;
    expect(isMachinesError(error, 'ERR_BREAKER_TIMEOUT')).toBe(true);
    expect(signal?.aborted).toBe(true);
    expect(isMachinesError(signal?.reason, 'ERR_BREAKER_TIMEOUT')).toBe(true);
    expect(breaker.state).toBe('open');
  });

  it('rejects the caller at the timeout even if the call ignores its signal', async () => {
    const clock = new TestClock();
    const breaker = new CircuitBreaker({ clock, callTimeoutMs: 50 });
    const call = attempt(breaker, () => new Promise(() => {}));
    await clock.advance(50);
    expect(isMachinesError(await call, 'ERR_BREAKER_TIMEOUT')).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('gives the permit back, without a failure, when the caller aborts the call', async () => {
    const clock = new TestClock();
    const breaker = new CircuitBreaker({ clock, failure: { threshold: 1 }, callTimeoutMs: 1000 });
    const controller = new AbortController();
    const call = breaker.execute(hang, { signal: controller.signal }).catch((e: unknown) => e);
    controller.abort(new Error('caller gave up'));
    expect(((await call) as Error).message).toBe('caller gave up');
    expect(breaker.stats).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects at once, without running the call, when the caller signal is already aborted', async () => {
    const breaker = new CircuitBreaker({ clock: new TestClock() });
    let ran = false;
    const error = await breaker
      .execute(
        async () => {
          ran = true;
        },
        { signal: AbortSignal.abort(new Error('too late')) },
      )
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('too late');
    expect(ran).toBe(false);
  });

  it('runs the fallback instead of rejecting while open', async () => {
    const breaker = new CircuitBreaker({ clock: new TestClock(), failure: { threshold: 1 } });
    await attempt(breaker, down);
    const value = await breaker.execute(ok, { fallback: (error) => `cached (${error.code})` });
    expect(value).toBe('cached (ERR_BREAKER_OPEN)');
  });

  it('builds one rejection error per open period, so failing fast stays cheap', async () => {
    const breaker = new CircuitBreaker({ clock: new TestClock(), failure: { threshold: 1 } });
    await attempt(breaker, down);
    const first = await attempt(breaker, ok);
    const second = await attempt(breaker, ok);
    expect(second).toBe(first);
  });
});
