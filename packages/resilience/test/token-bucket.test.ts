// Issue 5.3: a token bucket rate limiter: rate and burst on the node's clock.
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { isResilienceError, type ResilienceEvent, TokenBucket } from '../src/index.js';
import { thrown, track } from './settle.js';

describe('TokenBucket', () => {
  it('starts full, allows a burst, then refills at the rate on the clock', async () => {
    const clock = new TestClock();
    const bucket = new TokenBucket({ clock, ratePerSecond: 2, burst: 3 });
    expect([1, 2, 3, 4].map(() => bucket.tryTake())).toEqual([true, true, true, false]);
    await clock.advance(499);
    expect(bucket.tryTake()).toBe(false);
    await clock.advance(1);
    expect(bucket.tryTake()).toBe(true);
    await clock.advance(60_000);
    expect(bucket.tokens).toBe(3); // never more than the burst
  });

  it('rejects at once with ERR_RATE_LIMITED when the wait would exceed maxWaitMs', async () => {
    const clock = new TestClock();
    const events: ResilienceEvent[] = [];
    const bucket = new TokenBucket({
      clock,
      ratePerSecond: 1,
      burst: 1,
      observer: (e) => events.push(e),
    });
    await bucket.take();
    const out = track(bucket.take());
    await clock.settle();
    expect(isResilienceError(out.error, 'ERR_RATE_LIMITED')).toBe(true);
    expect(events).toEqual([
      { type: 'ratelimit.rejected', time: 0, source: 'token-bucket', waitMs: 1000 },
    ]);
  });

  it('serves waiters in FIFO order, each when its token is due', async () => {
    const clock = new TestClock();
    const bucket = new TokenBucket({ clock, ratePerSecond: 10, burst: 1, maxWaitMs: 1000 });
    const times: [string, number][] = [];
    for (const name of ['a', 'b', 'c']) {
      void bucket.take().then(() => times.push([name, clock.now()]));
    }
    await clock.advance(1000);
    expect(times).toEqual([
      ['a', 0],
      ['b', 100],
      ['c', 200],
    ]);
  });

  it('counts the queue ahead when deciding whether a newcomer may wait', async () => {
    const clock = new TestClock();
    const bucket = new TokenBucket({ clock, ratePerSecond: 10, burst: 1, maxWaitMs: 150 });
    await bucket.take();
    const first = track(bucket.take()); // due at 100 ms
    const second = track(bucket.take()); // would be due at 200 ms > 150
    await clock.advance(100);
    expect(first.done && first.error === undefined).toBe(true);
    expect(isResilienceError(second.error, 'ERR_RATE_LIMITED')).toBe(true);
  });

  it('lets an aborted waiter leave, and the next one move up', async () => {
    const clock = new TestClock();
    const bucket = new TokenBucket({ clock, ratePerSecond: 10, burst: 1, maxWaitMs: 1000 });
    await bucket.take();
    const caller = new AbortController();
    const a = track(bucket.take({ signal: caller.signal }));
    const b = track(bucket.take());
    caller.abort();
    await clock.advance(100);
    expect(isResilienceError(a.error, 'ERR_ABORTED')).toBe(true);
    expect(b.done && b.error === undefined).toBe(true);
    expect(bucket.queued).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('runs work after its token through execute', async () => {
    const clock = new TestClock();
    const bucket = new TokenBucket({ clock, ratePerSecond: 1, burst: 1, maxWaitMs: 5000 });
    const at: number[] = [];
    void bucket.execute(() => at.push(clock.now()));
    void bucket.execute(() => at.push(clock.now()));
    await clock.advance(1000);
    expect(at).toEqual([0, 1000]);
  });

  it.each([
    ['ratePerSecond', { ratePerSecond: 0, burst: 1 }],
    ['burst', { ratePerSecond: 1, burst: 0.5 }],
    ['maxWaitMs', { ratePerSecond: 1, burst: 1, maxWaitMs: -1 }],
  ])('rejects a bad %s naming it', (field, bad) => {
    const error = thrown(
      () =>
        new TokenBucket({
          clock: new TestClock(),
          ...(bad as { ratePerSecond: number; burst: number }),
        }),
    );
    expect((error as { field: string }).field).toBe(field);
  });
});
