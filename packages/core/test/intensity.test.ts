// The restart-intensity window as a pure function (docs/semantics.md item 23, supervisor.erl
// `add_restart`), tested alone.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addRestart } from '../src/index.js';

describe('addRestart (item 23)', () => {
  it('appends now and is not exceeded while the count stays at or below intensity', () => {
    expect(addRestart([], 0, 1, 5000)).toEqual({ restarts: [0], exceeded: false });
    expect(addRestart([0], 10, 2, 5000)).toEqual({ restarts: [0, 10], exceeded: false });
  });

  it('is exceeded on the first restart when intensity is 0 (item 24)', () => {
    expect(addRestart([], 123, 0, 5000)).toEqual({ restarts: [123], exceeded: true });
  });

  it('is exceeded on the second restart within the window with the defaults 1 in 5000 ms (item 24)', () => {
    expect(addRestart([0], 4999, 1, 5000).exceeded).toBe(true);
  });

  it('keeps a restart exactly `period` ms old (inclusive threshold t >= now - period)', () => {
    expect(addRestart([1000], 6000, 1, 5000)).toEqual({ restarts: [1000, 6000], exceeded: true });
  });

  it('drops a restart `period` + 1 ms old', () => {
    expect(addRestart([1000], 6001, 1, 5000)).toEqual({ restarts: [6001], exceeded: false });
  });

  it('drops only the restarts that left the window, keeping the rest in order', () => {
    expect(addRestart([0, 600, 1200], 1500, 2, 1000)).toEqual({
      restarts: [600, 1200, 1500],
      exceeded: true,
    });
  });

  it('does not modify the restarts it is given', () => {
    const before = Object.freeze([0, 1, 2]);
    addRestart(before, 10_000, 5, 100);
    expect(before).toEqual([0, 1, 2]);
  });

  it('keeps exactly the times inside the window plus now, and is exceeded iff their count is greater than intensity', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100_000 }), { maxLength: 30 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 50_000 }),
        fc.integer({ min: 0, max: 50_000 }),
        (raw, intensity, period, gap) => {
          const restarts = [...raw].sort((a, b) => a - b);
          const now = (restarts.at(-1) ?? 0) + gap;
          const result = addRestart(restarts, now, intensity, period);
          const inside = restarts.filter((t) => now - t <= period);
          expect(result.restarts).toEqual([...inside, now]);
          expect(result.exceeded).toBe(inside.length + 1 > intensity);
        },
      ),
    );
  });
});
