// A token bucket given `node.signal` closes when the node stops: its waiters are handed back
// with ERR_CLOSED and its refill timer is cleared, so nothing outlives the node.
import { createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { isResilienceError, TokenBucket } from '../src/index.js';

describe('a token bucket and its node', () => {
  it('hands its waiters back with ERR_CLOSED and clears its timer when the node stops', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'bucket-stop', clock });
    const bucket = new TokenBucket({
      clock: node.clock,
      signal: node.signal,
      ratePerSecond: 1,
      burst: 1,
      maxWaitMs: 10_000,
    });
    await bucket.take();
    const waiting = bucket.take().catch((e: unknown) => e);
    expect(clock.pendingTimers).toBe(1);
    await node.stop();
    expect(isResilienceError(await waiting, 'ERR_CLOSED')).toBe(true);
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(5000);
    expect(bucket.tryTake()).toBe(false);
    expect(isResilienceError(await bucket.take().catch((e: unknown) => e), 'ERR_CLOSED')).toBe(
      true,
    );
  });
});
