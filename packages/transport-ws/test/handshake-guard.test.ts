// The handshake's budgets, alone: one identity or one address spends only its own.
import { describe, expect, it } from 'vitest';
import { HandshakeGuard } from '../src/internal/handshake-guard.js';
import { TokenBuckets } from '../src/internal/token-buckets.js';

describe('token buckets', () => {
  it('gives each key its burst, refills it by elapsed time, and never lends across keys', () => {
    const buckets = new TokenBuckets({ burst: 2, perSecond: 1 }, 100);
    expect([buckets.take('x', 0), buckets.take('x', 0), buckets.take('x', 0)]).toEqual([
      true,
      true,
      false,
    ]);
    expect(buckets.take('y', 0)).toBe(true);
    expect(buckets.take('x', 999)).toBe(false);
    expect(buckets.take('x', 1000)).toBe(true);
  });

  it('tracks at most maxKeys keys, forgetting the oldest (which only refills it)', () => {
    const buckets = new TokenBuckets({ burst: 1, perSecond: 0.001 }, 2);
    for (const k of ['a', 'b', 'c']) expect(buckets.take(k, 0)).toBe(true);
    expect(buckets.size).toBe(2);
    expect(buckets.take('a', 0)).toBe(true);
    expect(buckets.take('c', 0)).toBe(false);
  });
});

describe('handshake guard', () => {
  const limits = [
    { burst: 3, perSecond: 1 },
    { burst: 2, perSecond: 1 },
  ] as const;

  it('refuses an identity past its rate while another identity is admitted', () => {
    const guard = new HandshakeGuard(...limits, 20_000, 1000);
    const verdicts = ['c1', 'c2', 'c3', 'c4'].map((c) => guard.admit('mallory', c, 0));
    expect(verdicts).toEqual(['ok', 'ok', 'ok', 'limited']);
    expect(guard.admit('honest', 'c5', 0)).toBe('ok');
  });

  it('refuses a used challenge of an identity until it expires', () => {
    const guard = new HandshakeGuard(...limits, 20_000, 1000);
    expect(guard.admit('honest', 'c', 0)).toBe('ok');
    expect(guard.replayed('honest', 'c', 10_000)).toBe(true);
    expect(guard.admit('honest', 'c', 10_000)).toBe('replayed');
    expect(guard.replayed('honest', 'c', 20_001)).toBe(false);
  });

  it('charges failed handshakes to their address only', () => {
    const guard = new HandshakeGuard(...limits, 20_000, 1000);
    guard.failed('10.0.0.9', 0);
    guard.failed('10.0.0.9', 0);
    expect(guard.addressAllowed('10.0.0.9', 0)).toBe(false);
    expect(guard.addressAllowed('10.0.0.8', 0)).toBe(true);
    expect(guard.addressAllowed('10.0.0.9', 1000)).toBe(true);
  });

  it('refuses a new identity once all remembered challenges reach the bound, not a known one', () => {
    const guard = new HandshakeGuard({ burst: 100, perSecond: 1 }, limits[1], 20_000, 3);
    for (const c of ['c1', 'c2', 'c3']) expect(guard.admit('a', c, 0)).toBe('ok');
    expect(guard.admit('b', 'c4', 0)).toBe('full');
    expect(guard.size).toBe(3);
    expect(guard.admit('a', 'c5', 0)).toBe('ok');
    expect(guard.admit('b', 'c4', 40_001)).toBe('ok');
  });
});
