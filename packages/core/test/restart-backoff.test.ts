// warden's restart backoff (beyond OTP: docs/semantics.md, "Beyond OTP") as a pure function: the delay before
// the n-th restart inside the intensity window.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RestartBackoff, restartDelay } from '../src/index.js';

const none = (minMs: number, maxMs: number): RestartBackoff => ({ minMs, maxMs, jitter: 'none' });

describe('restartDelay', () => {
  it('grows exponentially from minMs, one doubling per restart, when jitter is none', () => {
    const backoff = none(100, 100_000);
    expect([1, 2, 3, 4, 5].map((n) => restartDelay(backoff, n))).toEqual([
      100, 200, 400, 800, 1600,
    ]);
  });

  it('is capped at maxMs', () => {
    const backoff = none(100, 500);
    expect([1, 2, 3, 4, 10].map((n) => restartDelay(backoff, n))).toEqual([
      100, 200, 400, 500, 500,
    ]);
  });

  it('treats an attempt below 1 as the first', () => {
    expect(restartDelay(none(100, 1000), 0)).toBe(100);
  });

  it('stays finite and capped for a huge attempt number', () => {
    expect(restartDelay(none(1, 60_000), 10_000)).toBe(60_000);
  });

  it('is 0 when minMs is 0', () => {
    expect(restartDelay(none(0, 1000), 5)).toBe(0);
    expect(restartDelay({ minMs: 0, maxMs: 1000, jitter: 'full', random: () => 0.9 }, 5)).toBe(0);
  });

  it('draws full jitter uniformly below the ceiling from the given random source', () => {
    const at = (r: number) =>
      restartDelay({ minMs: 100, maxMs: 10_000, jitter: 'full', random: () => r }, 3);
    expect(at(0)).toBe(0);
    expect(at(0.5)).toBe(200);
    expect(at(0.999_999)).toBe(399);
  });

  it('uses Math.random when no random source is given', () => {
    for (let i = 0; i < 50; i++) {
      const d = restartDelay({ minMs: 100, maxMs: 1000, jitter: 'full' }, 2);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(200);
    }
  });

  it('always lies in [0, ceiling) with full jitter and equals the ceiling without it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 80 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (minMs, extra, attempt, r) => {
          const maxMs = minMs + extra;
          const ceiling = Math.min(maxMs, minMs * 2 ** (attempt - 1));
          expect(restartDelay({ minMs, maxMs, jitter: 'none' }, attempt)).toBe(ceiling);
          const d = restartDelay({ minMs, maxMs, jitter: 'full', random: () => r }, attempt);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThan(ceiling);
          expect(Number.isInteger(d)).toBe(true);
        },
      ),
    );
  });
});
