// The pure backoff functions, alone.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Backoff, backoffCeiling, backoffDelay, JITTERS, type Jitter } from '../src/index.js';

const chance = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const backoffArb = fc
  .record({
    baseMs: fc.integer({ min: 0, max: 10_000 }),
    extra: fc.integer({ min: 0, max: 100_000 }),
    jitter: fc.constantFrom(...JITTERS),
  })
  .map(({ baseMs, extra, jitter }): Backoff => ({ baseMs, maxDelayMs: baseMs + extra, jitter }));

describe('backoff ceiling', () => {
  it('doubles from the base and stops at the maximum', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffCeiling(n, 100, 1000))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('stays finite for huge retry numbers and a zero base', () => {
    expect(backoffCeiling(5000, 100, 30_000)).toBe(30_000);
    expect(backoffCeiling(5000, 0, 30_000)).toBe(0);
  });
});

describe('backoff delay by jitter', () => {
  const b = (jitter: Jitter): Backoff => ({ baseMs: 100, maxDelayMs: 10_000, jitter });

  it('waits exactly the ceiling without jitter', () => {
    expect(backoffDelay(3, b('none'), 0.99)).toBe(400);
  });

  it('draws full jitter uniformly below the ceiling', () => {
    expect(backoffDelay(3, b('full'), 0)).toBe(0);
    expect(backoffDelay(3, b('full'), 0.5)).toBe(200);
  });

  it('keeps equal jitter in the upper half of the ceiling', () => {
    expect(backoffDelay(3, b('equal'), 0)).toBe(200);
    expect(backoffDelay(3, b('equal'), 0.5)).toBe(300);
  });

  it('grows decorrelated jitter from the previous delay, not the attempt number', () => {
    expect(backoffDelay(9, b('decorrelated'), 0, 900)).toBe(100);
    expect(backoffDelay(1, b('decorrelated'), 0.5, 900)).toBe(100 + 0.5 * (2700 - 100));
  });

  it('keeps every jitter within [0, maxDelayMs] (property)', () => {
    fc.assert(
      fc.property(
        backoffArb,
        fc.integer({ min: 1, max: 200 }),
        chance,
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (backoff, retry, random, previous) => {
          const d = backoffDelay(retry, backoff, random, previous);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(backoff.maxDelayMs);
        },
      ),
    );
  });

  it('never exceeds the exponential ceiling except decorrelated, which never drops below the base (property)', () => {
    fc.assert(
      fc.property(backoffArb, fc.integer({ min: 1, max: 60 }), chance, (backoff, retry, random) => {
        const d = backoffDelay(retry, backoff, random);
        const ceiling = backoffCeiling(retry, backoff.baseMs, backoff.maxDelayMs);
        if (backoff.jitter === 'decorrelated') {
          expect(d).toBeGreaterThanOrEqual(Math.min(backoff.baseMs, backoff.maxDelayMs));
        } else {
          expect(d).toBeLessThanOrEqual(ceiling);
          if (backoff.jitter === 'equal') expect(d).toBeGreaterThanOrEqual(ceiling / 2);
          if (backoff.jitter === 'none') expect(d).toBe(ceiling);
        }
      }),
    );
  });
});
