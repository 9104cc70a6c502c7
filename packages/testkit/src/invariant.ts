import type { Simulation } from './simulation.js';

/** A broken invariant: which one, and what was seen. */
export interface Violation {
  readonly invariant: string;
  readonly message: string;
  readonly at: number;
}

/**
 * A property the system must keep under every schedule. `always` is checked after each fault
 * and at the end (keep it cheap), `atEnd` once the schedule is over and the system has had its
 * quiet period. Each returns a description of the violation, or undefined when it holds.
 */
export interface Invariant {
  readonly name: string;
  readonly always?: (sim: Simulation) => string | undefined;
  readonly atEnd?: (sim: Simulation) => string | undefined | Promise<string | undefined>;
}

/** A user's own invariant, checked at the end of every run. */
export function invariant(
  name: string,
  atEnd: (sim: Simulation) => string | undefined | Promise<string | undefined>,
): Invariant {
  return { name, atEnd };
}
