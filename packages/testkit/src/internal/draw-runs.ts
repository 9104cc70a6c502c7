import fc from 'fast-check';
import type { Fault } from '../fault.js';
import type { RunJob } from './run-pool.js';

/**
 * The runs fast-check would make for this property, seed and run count, in its order, drawn
 * without running any: a property that only writes its arguments down gets exactly the values
 * the checking property gets, so run `i` here is the one `path: "i"` replays.
 */
export function drawRuns(
  faults: fc.Arbitrary<readonly Fault[]>,
  runs: number,
  seed: number,
  run: RunJob['run'],
): RunJob[] {
  const drawn: RunJob[] = [];
  fc.check(
    fc.property(faults, fc.nat(), (schedule, simulationSeed) => {
      drawn.push({ index: drawn.length, schedule, seed: simulationSeed, run });
      return true;
    }),
    { numRuns: runs, seed },
  );
  return drawn;
}

/** A fresh seed, as fast-check picks one when none is given. */
export function freshSeed(): number {
  return (Date.now() ^ (Math.random() * 0x100000000)) | 0;
}
