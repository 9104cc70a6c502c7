import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fault } from '../src/index.js';
import { faultSchedule } from '../src/index.js';
import { DrawnRuns } from '../src/internal/draw-runs.js';

const faults = faultSchedule({
  names: ['a', 'b'],
  labels: ['a', 'b'],
  kinds: ['crash', 'crash-on-message', 'slow', 'clock-jump'],
  randomCrashes: false,
  horizonMs: 5_000,
  maxDurationMs: 1_000,
});
const run = { horizonMs: 5_000, quietMs: 5_000, jitterMs: 2 };

describe('the runs a check on workers draws', () => {
  it('are the runs the checking property gets, in its order, however they are sliced', () => {
    const seen: [readonly Fault[], number][] = [];
    fc.check(
      fc.property(faults, fc.nat(), (schedule, seed) => {
        seen.push([schedule, seed]);
        return true;
      }),
      { numRuns: 150, seed: 7 },
    );
    const drawn = new DrawnRuns(faults, 150, 7, run);
    const jobs = [...drawn.slice(0, 10), ...drawn.slice(10, 140), ...drawn.slice(140, 400)];
    expect(jobs).toHaveLength(150);
    expect(jobs.map((j) => j.index)).toEqual(seen.map((_, i) => i));
    expect(jobs.map((j) => [j.schedule, j.seed])).toEqual(seen);
    expect(drawn.slice(20, 22)).toEqual(jobs.slice(20, 22));
  });
});
