// The one backoff of every package (supervisor restarts, retries, a breaker's open time,
// redials), as a pure function tested alone. fast-check prints the seed and path of a failure;
// pass them back as `{ seed, path }` to replay it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Backoff,
  backoffCeiling,
  backoffDelay,
  backoffOptions,
  DEFAULT_BACKOFF,
  type InvalidOption,
  JITTERS,
  type Jitter,
  optionChecks,
} from '../src/index.js';

const chance = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const jitterArb: fc.Arbitrary<Jitter> = fc.oneof(
  fc.constantFrom(...JITTERS),
  fc.double({ min: 0, max: 1, noNaN: true }),
);
const backoffArb = fc
  .record({
    initialMs: fc.integer({ min: 0, max: 10_000 }),
    extra: fc.integer({ min: 0, max: 100_000 }),
    factor: fc.double({ min: 1, max: 4, noNaN: true }),
    jitter: jitterArb,
  })
  .map(
    ({ initialMs, extra, factor, jitter }): Backoff => ({
      initialMs,
      maxMs: initialMs + extra,
      factor,
      jitter,
    }),
  );

const b = (jitter: Jitter, factor = 2): Backoff => ({
  initialMs: 100,
  maxMs: 10_000,
  factor,
  jitter,
});

/** A seeded source of chance in [0, 1): mulberry32. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('backoffCeiling', () => {
  it('grows by the factor from initialMs, counting attempts from 1, up to maxMs', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffCeiling(n, b('none')))).toEqual([
      100, 200, 400, 800, 1600, 3200, 6400, 10_000,
    ]);
    expect([1, 2, 3].map((n) => backoffCeiling(n, b('none', 3)))).toEqual([100, 300, 900]);
  });

  it('stays fixed with factor 1, is 0 from initialMs 0 and treats attempts below 1 as the first', () => {
    expect(backoffCeiling(40, b('none', 1))).toBe(100);
    expect(backoffCeiling(5000, { ...b('none'), initialMs: 0 })).toBe(0);
    expect(backoffCeiling(0, b('none'))).toBe(100);
    expect(backoffCeiling(-3, b('none'))).toBe(100);
  });

  it('stays finite and capped for a huge attempt number', () => {
    expect(backoffCeiling(1_000_000, { ...b('none'), initialMs: 1, maxMs: 60_000 })).toBe(60_000);
  });

  it('never decreases from one attempt to the next and never exceeds maxMs (property)', () => {
    fc.assert(
      fc.property(backoffArb, fc.integer({ min: 1, max: 2000 }), (backoff, n) => {
        const here = backoffCeiling(n, backoff);
        expect(backoffCeiling(n + 1, backoff)).toBeGreaterThanOrEqual(here);
        expect(here).toBeLessThanOrEqual(backoff.maxMs);
        expect(Number.isFinite(here)).toBe(true);
      }),
    );
  });
});

describe('backoffDelay', () => {
  it('waits exactly the ceiling without jitter, whatever the chance', () => {
    expect(backoffDelay(3, b('none'), 0.99)).toBe(400);
  });

  it('draws full jitter uniformly below the ceiling', () => {
    expect(backoffDelay(3, b('full'), 0)).toBe(0);
    expect(backoffDelay(3, b('full'), 0.5)).toBe(200);
    expect(backoffDelay(3, b('full'), 0.999_999)).toBe(399);
  });

  it('keeps equal jitter in the upper half of the ceiling', () => {
    expect(backoffDelay(3, b('equal'), 0)).toBe(200);
    expect(backoffDelay(3, b('equal'), 0.5)).toBe(300);
  });

  it('grows decorrelated jitter from the previous delay, never below initialMs', () => {
    expect(backoffDelay(9, b('decorrelated'), 0, 900)).toBe(100);
    expect(backoffDelay(1, b('decorrelated'), 0.5, 900)).toBe(100 + 0.5 * (2700 - 100));
    expect(backoffDelay(1, b('decorrelated'), 0.999, 1_000_000)).toBeLessThanOrEqual(10_000);
  });

  it('shortens the ceiling by up to the share a numeric jitter gives', () => {
    expect(backoffDelay(4, b(0.2), 0)).toBe(800);
    expect(backoffDelay(4, b(0.2), 0.5)).toBe(720);
    expect(backoffDelay(4, b(0.2), 0.999_999)).toBe(640);
    expect(backoffDelay(4, b(0), 0.7)).toBe(800);
  });

  it('stays in whole milliseconds within [0, maxMs] for every jitter (property)', () => {
    fc.assert(
      fc.property(
        backoffArb,
        fc.integer({ min: 1, max: 200 }),
        chance,
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (backoff, n, random, previous) => {
          const d = backoffDelay(n, backoff, random, previous);
          expect(Number.isInteger(d)).toBe(true);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(backoff.maxMs);
        },
      ),
    );
  });

  it('keeps each jitter within its range below the ceiling (property)', () => {
    fc.assert(
      fc.property(backoffArb, fc.integer({ min: 1, max: 60 }), chance, (backoff, n, random) => {
        const d = backoffDelay(n, backoff, random);
        const ceiling = backoffCeiling(n, backoff);
        const { jitter } = backoff;
        if (jitter === 'decorrelated') {
          expect(d).toBeGreaterThanOrEqual(Math.floor(Math.min(backoff.initialMs, backoff.maxMs)));
          return;
        }
        expect(d).toBeLessThanOrEqual(ceiling);
        if (jitter === 'none') expect(d).toBe(Math.floor(ceiling));
        if (jitter === 'full' && ceiling > 0) expect(d).toBeLessThan(ceiling);
        if (jitter === 'equal') expect(d).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
        if (typeof jitter === 'number') {
          expect(d).toBeGreaterThanOrEqual(Math.floor(ceiling * (1 - jitter)));
        }
      }),
    );
  });

  it('replays the same delays from the same seeded source (property)', () => {
    fc.assert(
      fc.property(backoffArb, fc.integer(), (backoff, seed) => {
        const run = () => {
          const random = seeded(seed);
          let previous = backoff.initialMs;
          return Array.from({ length: 12 }, (_, i) => {
            previous = backoffDelay(i + 1, backoff, random(), previous);
            return previous;
          });
        };
        expect(run()).toEqual(run());
      }),
    );
  });
});

describe('backoffOptions', () => {
  const invalid: InvalidOption = (field, value, expected) =>
    Object.assign(new Error(`${field}: ${String(value)} (${expected})`), { field });
  const checks = optionChecks(invalid);
  const fieldOf = (fn: () => unknown): unknown => {
    try {
      fn();
    } catch (error) {
      return (error as { field?: unknown }).field;
    }
    return undefined;
  };

  it('fills every default and freezes the result', () => {
    const backoff = backoffOptions({}, checks);
    expect(backoff).toEqual(DEFAULT_BACKOFF);
    expect(Object.isFrozen(backoff)).toBe(true);
  });

  it('names the bad field as the package calls it', () => {
    const fields = { initialMs: 'baseMs', maxMs: 'maxDelayMs' };
    expect(fieldOf(() => backoffOptions({ initialMs: -1 }, checks, DEFAULT_BACKOFF, fields))).toBe(
      'baseMs',
    );
    expect(
      fieldOf(() =>
        backoffOptions({ initialMs: 500, maxMs: 100 }, checks, DEFAULT_BACKOFF, fields),
      ),
    ).toBe('maxDelayMs');
    expect(fieldOf(() => backoffOptions({ factor: 0.5 }, checks))).toBe('factor');
    expect(fieldOf(() => backoffOptions({ jitter: 'lots' as Jitter }, checks))).toBe('jitter');
    expect(fieldOf(() => backoffOptions({ jitter: 1.5 }, checks))).toBe('jitter');
    expect(fieldOf(() => backoffOptions({ maxMs: Number.NaN }, checks))).toBe('maxMs');
  });

  it('accepts every named jitter and any share in [0, 1]', () => {
    for (const jitter of [...JITTERS, 0, 0.25, 1]) {
      expect(backoffOptions({ jitter }, checks).jitter).toBe(jitter);
    }
  });
});
