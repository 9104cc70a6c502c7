import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/backoff.js';

const NO_JITTER = { initial: 100, max: 10_000, factor: 2, jitter: 0 };

describe('reconnect backoff', () => {
  it('doubles from the initial delay for the first attempt and stops at the cap', () => {
    const delays = Array.from({ length: 10 }, (_, i) => backoffDelay(i + 1, NO_JITTER, () => 0.5));
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000]);
  });

  it('shortens each delay by at most the jitter share, never above the cap', () => {
    const options = { initial: 100, max: 5000, factor: 2, jitter: 0.25 };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (attempt, r) => {
          const base = Math.min(5000, 100 * 2 ** Math.min(attempt - 1, 64));
          const d = backoffDelay(attempt, options, () => r);
          return d >= Math.floor(base * 0.75) && d <= base;
        },
      ),
    );
  });

  it('draws different delays for different random values (nodes do not redial in lockstep)', () => {
    const options = { ...NO_JITTER, jitter: 0.2 };
    expect(backoffDelay(4, options, () => 0)).toBe(800);
    expect(backoffDelay(4, options, () => 0.999)).toBeLessThan(650);
  });
});
