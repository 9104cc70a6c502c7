import fc from 'fast-check';
import { checkSchedule } from './check-schedule.js';
import type { Fault } from './fault.js';
import { DrawnRuns, freshSeed } from './internal/draw-runs.js';
import { firstFailure } from './internal/run-pool.js';
import type { Invariant, Violation } from './invariant.js';
import { type RunOptions, type RunOutcome, runSchedule, type Setup } from './run-schedule.js';
import { isSystemModule, loadSystem, moduleHref, type SystemModule } from './system-module.js';
import { invalidOption, TestkitError } from './testkit-error.js';

export interface CheckOptions {
  /** The schedules to try: `faultSchedule(universe)`, or any arbitrary of fault lists. */
  readonly faults: fc.Arbitrary<readonly Fault[]>;
  /** Required with a setup function; a system module brings its own (its `invariants`). */
  readonly invariants?: readonly Invariant[];
  /** Schedules tried. Default 100. */
  readonly runs?: number;
  /** fast-check's seed; default `FC_SEED` if set, else a fresh one (printed on failure). */
  readonly seed?: number;
  /** fast-check's replay path; default `FC_PATH` if set. */
  readonly path?: string;
  /** Faults happen within this many virtual ms. Default 60 000. */
  readonly horizonMs?: number;
  /** Then everything heals and the system gets this long to recover. Default 60 000. */
  readonly quietMs?: number;
  /** Upper bound of the seeded extra latency of each envelope between nodes. Default 2 ms. */
  readonly jitterMs?: number;
  /**
   * Worker threads the runs are spread over. Default 1 (the test's own thread). More needs a
   * system module (`{ module }`): each worker loads the system from it. The runs, the run that
   * fails first and the shrunk schedule are the ones a single thread finds; shrinking runs in
   * the test's thread.
   */
  readonly workers?: number;
  /**
   * Node options of the worker threads; default the test process's own. Workers load
   * JavaScript: a runner that resolves packages to TypeScript sources through a condition
   * (`--conditions source`) needs options without it here.
   */
  readonly workerExecArgv?: readonly string[];
}

export const CHECK_DEFAULTS = Object.freeze({
  runs: 100,
  horizonMs: 60_000,
  quietMs: 60_000,
  jitterMs: 2,
  workers: 1,
});

/** What a passing check did. */
export interface CheckReport {
  readonly runs: number;
  readonly seed: number;
}

/** A check that found a schedule breaking an invariant, shrunk, with everything to replay it. */
export class SystemCheckFailure extends TestkitError {
  readonly seed: number;
  readonly path: string;
  /** The shrunk schedule and the simulation's own seed: `replaySystem` takes them. */
  readonly schedule: readonly Fault[];
  readonly simulationSeed: number;
  readonly violation: Violation;
  readonly timeline: string;

  constructor(fields: {
    message: string;
    seed: number;
    path: string;
    schedule: readonly Fault[];
    simulationSeed: number;
    violation: Violation;
    timeline: string;
  }) {
    super('ERR_INVARIANT_VIOLATED', fields.message);
    this.name = 'SystemCheckFailure';
    this.seed = fields.seed;
    this.path = fields.path;
    this.schedule = fields.schedule;
    this.simulationSeed = fields.simulationSeed;
    this.violation = fields.violation;
    this.timeline = fields.timeline;
  }
}

function runOptions(options: CheckOptions & { invariants: readonly Invariant[] }): RunOptions {
  const d = CHECK_DEFAULTS;
  const num = (field: keyof CheckOptions, fallback: number): number => {
    const v = options[field] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw invalidOption(field, v, 'a finite number >= 0');
    }
    return v;
  };
  if (!Array.isArray(options.invariants)) {
    throw invalidOption('invariants', options.invariants, 'a list of invariants');
  }
  options.invariants.forEach((inv, i) => {
    if (typeof inv?.name !== 'string' || (inv.always === undefined && inv.atEnd === undefined)) {
      throw invalidOption(`invariants[${i}]`, inv?.name, 'an invariant with a name and a check');
    }
  });
  return {
    invariants: options.invariants,
    horizonMs: num('horizonMs', d.horizonMs),
    quietMs: num('quietMs', d.quietMs),
    jitterMs: num('jitterMs', d.jitterMs),
  };
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function fromEnv(name: 'FC_SEED' | 'FC_PATH'): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  return env?.[name];
}

/**
 * Tries the system against `runs` fault schedules and throws a `SystemCheckFailure` at the
 * first one that breaks an invariant, shrunk to the smallest schedule that still does. Its
 * message has the seed, the replay path, the schedule and the run's timeline. Nothing here
 * depends on a test framework: it resolves or it throws.
 *
 * The system is a setup function, or a module exporting `setup` and `invariants`: the form
 * `workers` needs to spread the runs over threads.
 */
export async function checkSystem(
  setup: Setup | SystemModule,
  options: CheckOptions,
): Promise<CheckReport> {
  if (typeof setup !== 'function' && !isSystemModule(setup)) {
    throw invalidOption('setup', setup, 'a function or a system module ({ module })');
  }
  if (!(options?.faults instanceof fc.Arbitrary)) {
    throw invalidOption('faults', options?.faults, 'a fast-check arbitrary of fault lists');
  }
  const workers = options.workers ?? CHECK_DEFAULTS.workers;
  if (!(Number.isInteger(workers) && workers >= 1)) {
    throw invalidOption('workers', workers, 'an integer >= 1');
  }
  if (workers > 1 && typeof setup === 'function') {
    throw invalidOption('workers', workers, '1 with a setup function; more need { module }');
  }
  const execArgv = options.workerExecArgv;
  if (execArgv !== undefined && !(Array.isArray(execArgv) && execArgv.every(isString))) {
    throw invalidOption('workerExecArgv', execArgv, 'a list of strings');
  }
  const href = typeof setup === 'function' ? undefined : moduleHref(setup);
  if (href !== undefined && options.invariants !== undefined) {
    throw invalidOption('invariants', options.invariants, "none: a module's own are checked");
  }
  const system =
    href === undefined
      ? { setup: setup as Setup, invariants: options.invariants }
      : await loadSystem(href);
  const run = runOptions({ ...options, invariants: system.invariants as readonly Invariant[] });
  const runs = options.runs ?? CHECK_DEFAULTS.runs;
  if (!(Number.isInteger(runs) && runs >= 1)) throw invalidOption('runs', runs, 'an integer >= 1');
  const envSeed = fromEnv('FC_SEED');
  let seed = options.seed ?? (envSeed !== undefined ? Number(envSeed) : undefined);
  let path = options.path ?? fromEnv('FC_PATH');
  let ranBefore = 0;
  if (href !== undefined && workers > 1 && path === undefined) {
    // The runs go to the workers; only the first failing one (if any) comes back here, where
    // fast-check replays it by its path and shrinks it.
    seed ??= freshSeed();
    const { invariants: _, ...data } = run;
    const drawn = new DrawnRuns(options.faults, runs, seed, data);
    const failed = await firstFailure(
      { module: href, execArgv: options.workerExecArgv },
      drawn,
      workers,
    );
    if (failed === undefined) return { runs, seed };
    path = String(failed);
    ranBefore = failed;
  }
  const property = fc.asyncProperty(
    options.faults,
    fc.nat(),
    async (schedule, simulationSeed) =>
      (await runSchedule(system.setup, schedule, simulationSeed, run)).violations.length === 0,
  );
  const details = await fc.check(property, {
    numRuns: runs,
    ...(seed !== undefined ? { seed } : {}),
    ...(path !== undefined ? { path } : {}),
  });
  if (!details.failed) return { runs: details.numRuns, seed: details.seed };
  if (details.counterexample === null) {
    // the property threw rather than returned false: a bug in the setup or the testkit
    throw details.errorInstance ?? new Error(`checkSystem: run failed (seed ${details.seed})`);
  }
  const [schedule, simulationSeed] = details.counterexample;
  const outcome = await runSchedule(system.setup, schedule, simulationSeed, run);
  throw failure(outcome, {
    seed: details.seed,
    path: details.counterexamplePath ?? '',
    schedule,
    simulationSeed,
    numRuns: ranBefore + details.numRuns,
    numShrinks: details.numShrinks,
  });
}

function failure(
  outcome: RunOutcome,
  found: {
    seed: number;
    path: string;
    schedule: readonly Fault[];
    simulationSeed: number;
    numRuns: number;
    numShrinks: number;
  },
): SystemCheckFailure {
  const violation: Violation = outcome.violations[0] ?? {
    invariant: '(none on replay)',
    message: 'the shrunk schedule passed when run again: the system is not deterministic',
    at: 0,
  };
  const timeline = outcome.timeline.format();
  const schedule = JSON.stringify(found.schedule);
  const message = [
    `invariant "${violation.invariant}" broken after ${found.numRuns} run(s), shrunk ${found.numShrinks} time(s):`,
    `  ${violation.message}`,
    '',
    `Replay: checkSystem(setup, { ...options, seed: ${found.seed}, path: '${found.path}' })`,
    `    or: FC_SEED=${found.seed} FC_PATH=${found.path} <your test command>`,
    `    or: await replaySystem(setup, { invariants, seed: ${found.simulationSeed}, schedule: ${schedule} })`,
    '',
    `Schedule (${found.schedule.length} fault(s)):`,
    ...found.schedule.map((f) => `  ${JSON.stringify(f)}`),
    '',
    'Timeline:',
    timeline,
  ].join('\n');
  return new SystemCheckFailure({
    message,
    seed: found.seed,
    path: found.path,
    schedule: found.schedule,
    simulationSeed: found.simulationSeed,
    violation,
    timeline,
  });
}

export interface ReplayOptions
  extends Omit<
    CheckOptions,
    'faults' | 'runs' | 'seed' | 'path' | 'workers' | 'workerExecArgv' | 'invariants'
  > {
  readonly invariants: readonly Invariant[];
  readonly schedule: readonly Fault[];
  /** The simulation's seed, as the failure printed it. */
  readonly seed: number;
}

/**
 * Runs one schedule again, exactly: resolves with the run (its violations and timeline) so a
 * regression test can pin a schedule a check once found.
 */
export async function replaySystem(setup: Setup, options: ReplayOptions): Promise<RunOutcome> {
  if (typeof setup !== 'function') throw invalidOption('setup', setup, 'a function');
  const run = runOptions({ ...options, faults: fc.constant([]) });
  const schedule = checkSchedule(options.schedule);
  if (!Number.isInteger(options.seed)) throw invalidOption('seed', options.seed, 'an integer');
  return runSchedule(setup, schedule, options.seed, run);
}
