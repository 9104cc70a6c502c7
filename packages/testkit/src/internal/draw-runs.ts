import fc from 'fast-check';
import type { Fault } from '../fault.js';
import type { RunJob } from './run-pool.js';

/** Runs drawn at a time: the first batch of a check starts after one chunk, not all of them. */
const CHUNK = 64;

/**
 * The runs fast-check would make for this property, seed and run count, in its order, drawn a
 * chunk at a time as they are asked for: a property that only writes its arguments down gets
 * exactly the values the checking property gets, and `path: "i"` starts at run `i`, so run `i`
 * here is the one `path: "i"` replays. Drawing them all before the first one runs kept the
 * worker threads idle while the test's thread drew.
 */
export class DrawnRuns {
  readonly total: number;
  readonly #faults: fc.Arbitrary<readonly Fault[]>;
  readonly #seed: number;
  readonly #run: RunJob['run'];
  readonly #drawn: RunJob[] = [];

  constructor(
    faults: fc.Arbitrary<readonly Fault[]>,
    total: number,
    seed: number,
    run: RunJob['run'],
  ) {
    this.#faults = faults;
    this.total = total;
    this.#seed = seed;
    this.#run = run;
  }

  /** Runs `from` to `to` (exclusive, at most `total`), drawing the chunks not drawn yet. */
  slice(from: number, to: number): RunJob[] {
    const end = Math.min(to, this.total);
    while (this.#drawn.length < end) this.#draw(Math.min(CHUNK, this.total - this.#drawn.length));
    return this.#drawn.slice(from, end);
  }

  #draw(count: number): void {
    const drawn = this.#drawn;
    const first = drawn.length;
    fc.check(
      fc.property(this.#faults, fc.nat(), (schedule, simulationSeed) => {
        drawn.push({ index: drawn.length, schedule, seed: simulationSeed, run: this.#run });
        return true;
      }),
      { numRuns: count, seed: this.#seed, ...(first > 0 ? { path: String(first) } : {}) },
    );
    if (drawn.length !== first + count) {
      throw new Error(`checkSystem: drew ${drawn.length - first} runs, not ${count}`);
    }
  }
}

/** A fresh seed, as fast-check picks one when none is given. */
export function freshSeed(): number {
  return (Date.now() ^ (Math.random() * 0x100000000)) | 0;
}
