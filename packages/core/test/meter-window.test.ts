// The metered-intensity window as a function of its arguments, tested apart from the supervisor.
// A failing property prints its seed and path; replay it with
//   FC_SEED=<seed> FC_PATH=<path> npx vitest run packages/core/test/meter-window.test.ts
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chargeMeter, newMeterWindow } from '../src/index.js';

/** As tests/src/properties/replay-params.ts: FC_SEED and FC_PATH replay a printed failure. */
function replayParams<T>(params: fc.Parameters<T>): fc.Parameters<T> {
  const { FC_SEED, FC_PATH } = process.env;
  return {
    ...params,
    ...(FC_SEED !== undefined ? { seed: Number(FC_SEED) } : {}),
    ...(FC_PATH !== undefined ? { path: FC_PATH } : {}),
  };
}

describe('chargeMeter', () => {
  it('sums the charges and is not exceeded while the sum stays at or below the limit', () => {
    const w = newMeterWindow();
    expect(chargeMeter(w, 0, 400, 1000, 60_000)).toEqual({ spent: 400, exceeded: false });
    expect(chargeMeter(w, 10, 600, 1000, 60_000)).toEqual({ spent: 1000, exceeded: false });
    expect(chargeMeter(w, 20, 1, 1000, 60_000)).toEqual({ spent: 1001, exceeded: true });
  });

  it('is exceeded by any positive charge when the limit is 0, and never by a charge of 0', () => {
    expect(chargeMeter(newMeterWindow(), 0, 0, 0, 1000).exceeded).toBe(false);
    expect(chargeMeter(newMeterWindow(), 0, 0.01, 0, 1000).exceeded).toBe(true);
  });

  it('keeps a charge exactly `period` ms old (inclusive edge, as restart intensity)', () => {
    const w = newMeterWindow();
    chargeMeter(w, 1000, 700, 1000, 5000);
    expect(chargeMeter(w, 6000, 301, 1000, 5000)).toEqual({ spent: 1001, exceeded: true });
  });

  it('drops a charge `period` + 1 ms old', () => {
    const w = newMeterWindow();
    chargeMeter(w, 1000, 700, 1000, 5000);
    expect(chargeMeter(w, 6001, 301, 1000, 5000)).toEqual({ spent: 301, exceeded: false });
  });

  it('slides: only the charges of the last period count', () => {
    const w = newMeterWindow();
    for (const at of [0, 400, 800]) chargeMeter(w, at, 100, 1000, 1000);
    expect(chargeMeter(w, 1000, 100, 1000, 1000).spent).toBe(400); // 0 is still in
    expect(chargeMeter(w, 1401, 100, 1000, 1000).spent).toBe(300); // 0 and 400 have left
  });

  it('holds charges made at one instant in one entry', () => {
    const w = newMeterWindow();
    for (let i = 0; i < 1000; i++) chargeMeter(w, 5, 1, 10_000, 1000);
    expect(w.times).toEqual([5]);
    expect(w.amounts).toEqual([1000]);
    expect(w.sum).toBe(1000);
  });

  it('keeps memory bounded by the live charges under a long steady stream', () => {
    const w = newMeterWindow();
    for (let t = 0; t < 100_000; t++) chargeMeter(w, t, 1, 1e9, 100);
    expect(w.sum).toBe(101); // t - 100 .. t, inclusive
    expect(w.times.length - w.head).toBe(101);
    expect(w.times.length).toBeLessThanOrEqual(2 * 101 + 64);
  });

  it('gives back the small charges a large one absorbed, once the large one leaves', () => {
    const w = newMeterWindow();
    chargeMeter(w, 0, 1e17, Number.MAX_VALUE, 10);
    for (let t = 1; t <= 10; t++) chargeMeter(w, t, 1, Number.MAX_VALUE, 10);
    // At 11 the large charge has left: the ones of 1..11 remain.
    expect(chargeMeter(w, 11, 1, Number.MAX_VALUE, 10).spent).toBe(11);
  });

  it('keeps the sum of fractional amounts exact to rounding over a long stream', () => {
    const w = newMeterWindow();
    let last = { spent: 0, exceeded: false };
    for (let t = 0; t < 20_000; t++)
      last = chargeMeter(w, t, t % 3 === 0 ? 1234.5678 : 0.0013, 1e9, 10);
    let exact = 0;
    for (let t = 20_000 - 11; t < 20_000; t++) exact += t % 3 === 0 ? 1234.5678 : 0.0013;
    expect(Math.abs(last.spent - exact)).toBeLessThan(1e-9);
  });

  it('sums exactly the charges inside the window, and is exceeded iff that sum passes the limit', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            gap: fc.integer({ min: 0, max: 3000 }),
            amount: fc.integer({ min: 0, max: 1000 }),
          }),
          { minLength: 1, maxLength: 200 },
        ),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        (charges, limit, period) => {
          const w = newMeterWindow();
          const seen: { at: number; amount: number }[] = [];
          let now = 0;
          for (const { gap, amount } of charges) {
            now += gap;
            seen.push({ at: now, amount });
            const verdict = chargeMeter(w, now, amount, limit, period);
            const inside = seen
              .filter((c) => c.at >= now - period)
              .reduce((sum, c) => sum + c.amount, 0);
            expect(verdict).toEqual({ spent: inside, exceeded: inside > limit });
          }
        },
      ),
      replayParams({ numRuns: 200 }),
    );
  });
});
