import fc from 'fast-check';
import type { Fault } from './fault.js';
import { invalidOption } from './testkit-error.js';

/**
 * Draws schedules without running them, the same ones for the same seed: to look at what a
 * universe generates, or to time runs (a benchmark) without fast-check in the caller.
 */
export function sampleSchedules(
  faults: fc.Arbitrary<readonly Fault[]>,
  options: { readonly count: number; readonly seed: number },
): (readonly Fault[])[] {
  if (!(Number.isInteger(options?.count) && options.count >= 1)) {
    throw invalidOption('count', options?.count, 'an integer >= 1');
  }
  if (!Number.isInteger(options.seed)) throw invalidOption('seed', options.seed, 'an integer');
  return fc.sample(faults, { numRuns: options.count, seed: options.seed });
}
