import { type Fault, faultTime } from './fault.js';
import type { Invariant, Violation } from './invariant.js';
import { Simulation } from './simulation.js';
import { TestkitError } from './testkit-error.js';
import type { Timeline } from './timeline.js';

/** Builds the user's system in a simulation: nodes, supervisors, agents, and the client load. */
export type Setup = (sim: Simulation) => void | Promise<void>;

export interface RunOptions {
  readonly invariants: readonly Invariant[];
  /** The schedule's faults happen within this many ms from the start. */
  readonly horizonMs: number;
  /** After the horizon every partition heals and the system gets this long to recover. */
  readonly quietMs: number;
  readonly jitterMs: number;
}

export interface RunOutcome {
  readonly violations: readonly Violation[];
  readonly timeline: Timeline;
  readonly simulation: Simulation;
}

function checkAlways(sim: Simulation, invariants: readonly Invariant[], out: Violation[]): boolean {
  for (const inv of invariants) {
    if (inv.always === undefined) continue;
    const message = inv.always(sim);
    if (message !== undefined) {
      out.push({ invariant: inv.name, message, at: sim.clock.now() });
      sim.timeline.add(sim.clock.now(), 'check', `broken: ${inv.name}: ${message}`);
      return true;
    }
  }
  return false;
}

/**
 * One run: build the system, move the clock to each timed fault and apply it (checking the
 * `always` invariants after each), reach the horizon, heal everything, give the system its quiet
 * period, then check every invariant. Stops at the first violation. Nodes are stopped whatever
 * happens, so no timer or process outlives the run.
 */
export async function runSchedule(
  setup: Setup,
  schedule: readonly Fault[],
  seed: number,
  options: RunOptions,
): Promise<RunOutcome> {
  const sim = new Simulation(schedule, seed, { jitterMs: options.jitterMs });
  const test = sim.clock.test;
  const violations: Violation[] = [];
  const timed = schedule
    .filter((f) => {
      const at = faultTime(f);
      return at !== undefined && at <= options.horizonMs;
    })
    .sort((a, b) => (faultTime(a) as number) - (faultTime(b) as number));
  try {
    await setup(sim);
    await test.settle();
    sim.arm();
    let broken = checkAlways(sim, options.invariants, violations);
    for (const fault of timed) {
      if (broken) break;
      await test.advance(Math.max(0, (faultTime(fault) as number) - test.now()));
      sim.apply(fault);
      await test.settle();
      broken = checkAlways(sim, options.invariants, violations);
    }
    if (!broken) {
      await test.advance(Math.max(0, options.horizonMs - test.now()));
      sim.healAll();
      await test.advance(options.quietMs);
      broken = checkAlways(sim, options.invariants, violations);
    }
    if (!broken) {
      for (const inv of options.invariants) {
        const message = await inv.atEnd?.(sim);
        if (message !== undefined) {
          violations.push({ invariant: inv.name, message, at: sim.clock.now() });
          sim.timeline.add(sim.clock.now(), 'check', `broken: ${inv.name}: ${message}`);
          break;
        }
      }
    }
  } catch (error) {
    if (error instanceof TestkitError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (/still busy after/.test(message)) {
      throw new TestkitError(
        'ERR_SIMULATION_BOUND',
        `the simulated system never came to rest: ${message}`,
      );
    }
    throw error;
  } finally {
    await sim.stopNodes();
  }
  return { violations, timeline: sim.timeline, simulation: sim };
}
