import { defineActor, reply, startSupervisor } from '@warden/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CheckOptions,
  checkSystem,
  type Fault,
  faultSchedule,
  invariant,
  isTestkitError,
  nothingLost,
  replaySystem,
  type Setup,
  SystemCheckFailure,
} from '../src/index.js';
import { patientCall, schedule } from './systems/client.js';
import { sessionSystem } from './systems/session.js';

/** Two nodes: a counter on `b`, called from `a` through a supervisor restart or two. */
const twoNodes: Setup = async (sim) => {
  const a = sim.node('a');
  const b = sim.node('b');
  const counter = defineActor<number>({
    init: () => 0,
    handleCall: (_req: 'inc', _from, n) => reply(n + 1, n + 1),
  });
  await startSupervisor(b, {
    strategy: 'one_for_one',
    intensity: 100,
    period: 1_000,
    children: [
      {
        id: 'counter',
        start: { behaviour: sim.actor('counter', counter), options: { name: 'counter' } },
      },
    ],
  });
  schedule(a, 6, 500, 1_000, (i) => {
    const counter = b.whereis('counter');
    if (counter === undefined) return;
    void patientCall(sim, a, `inc-${i}`, counter, () => 'inc', {
      attempts: 3,
      pauseMs: 200,
      timeoutMs: 1_000,
    });
  });
};

const universe = faultSchedule({
  names: ['counter'],
  labels: ['counter'],
  nodes: ['a', 'b'],
  horizonMs: 8_000,
  maxDurationMs: 2_000,
});

describe('checkSystem', () => {
  it('passes a system that keeps its invariants, over 100 runs by default', async () => {
    const session = sessionSystem();
    const report = await checkSystem(session.setup, {
      faults: session.faults,
      invariants: session.invariants,
    });
    expect(report.runs).toBe(100);
    expect(Number.isInteger(report.seed)).toBe(true);
  });

  it('prints the seed, the replay path, the shrunk schedule and the timeline, and replays exactly', async () => {
    const session = sessionSystem('one-for-one');
    const options: CheckOptions = {
      faults: session.faults,
      invariants: session.invariants,
      runs: 200,
    };
    const error = await checkSystem(session.setup, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SystemCheckFailure);
    const failure = error as SystemCheckFailure;
    expect(failure.code).toBe('ERR_INVARIANT_VIOLATED');
    expect(failure.message).toContain(`seed: ${failure.seed}, path: '${failure.path}'`);
    expect(failure.message).toContain(`FC_SEED=${failure.seed} FC_PATH=${failure.path}`);
    expect(failure.message).toContain(`schedule: ${JSON.stringify(failure.schedule)}`);
    expect(failure.message).toContain('Timeline:');
    expect(failure.timeline).toContain('broken: nothing lost');
    // the smallest failing schedule: one crash of auth is enough
    expect(failure.schedule).toHaveLength(1);
    expect(JSON.stringify(failure.schedule[0])).toContain('auth');

    // replaying by seed and path finds the same shrunk schedule without searching
    const again = await checkSystem(session.setup, {
      ...options,
      seed: failure.seed,
      path: failure.path,
    }).catch((e: unknown) => e as SystemCheckFailure);
    expect((again as SystemCheckFailure).schedule).toEqual(failure.schedule);
    expect((again as SystemCheckFailure).timeline).toBe(failure.timeline);

    // and replaying the printed schedule is one line
    const outcome = await replaySystem(session.setup, {
      invariants: session.invariants,
      seed: failure.simulationSeed,
      schedule: failure.schedule,
    });
    expect(outcome.violations[0]).toEqual(failure.violation);
    expect(outcome.timeline.format()).toBe(failure.timeline);
  });

  it('makes a run a pure function of the system, the schedule and the seed', async () => {
    const schedules = fc.sample(universe, { numRuns: 20, seed: 42 });
    for (const [i, schedule] of schedules.entries()) {
      const once = await replaySystem(twoNodes, {
        invariants: [nothingLost()],
        seed: i,
        schedule,
        horizonMs: 8_000,
      });
      const twice = await replaySystem(twoNodes, {
        invariants: [nothingLost()],
        seed: i,
        schedule,
        horizonMs: 8_000,
      });
      expect(twice.timeline.format()).toBe(once.timeline.format());
      expect(twice.violations).toEqual(once.violations);
      expect(twice.simulation.requests.all()).toEqual(once.simulation.requests.all());
    }
  });

  it('generates only faults with something to aim at', () => {
    const kinds = new Set<string>();
    for (const schedule of fc.sample(universe, { numRuns: 300, seed: 1 })) {
      for (const f of schedule) {
        kinds.add(f.kind);
        if (f.kind === 'partition') {
          expect(f.a.length).toBeGreaterThan(0);
          expect(f.b.length).toBeGreaterThan(0);
        }
        if (f.kind === 'link-delay') expect(f.from).not.toBe(f.to);
        if ('at' in f) expect(f.at).toBeLessThanOrEqual(8_000);
      }
      expect(schedule.length).toBeLessThanOrEqual(20);
    }
    expect([...kinds].sort()).toEqual(
      ['clock-jump', 'crash', 'crash-on-message', 'hang', 'link-delay', 'partition', 'slow'].sort(),
    );
    const none = fc.sample(faultSchedule({ kinds: [], randomCrashes: false }), {
      numRuns: 5,
      seed: 1,
    });
    expect(none.every((s) => s.length === 0)).toBe(true);
  });

  it('refuses bad options with a typed error naming the field, before any run', async () => {
    const faults = fc.constant<readonly Fault[]>([]);
    const bad: [unknown, string][] = [
      [{ faults, invariants: [], runs: 0 }, 'runs'],
      [{ faults, invariants: [], runs: 1.5 }, 'runs'],
      [{ faults: [], invariants: [] }, 'faults'],
      [{ faults, invariants: 'all' }, 'invariants'],
      [{ faults, invariants: [{ name: 'x' }] }, 'invariants[0]'],
      [{ faults, invariants: [], horizonMs: -1 }, 'horizonMs'],
      [{ faults, invariants: [], quietMs: Number.NaN }, 'quietMs'],
    ];
    let ran = 0;
    const setup: Setup = () => {
      ran++;
    };
    for (const [options, field] of bad) {
      const error = await checkSystem(setup, options as CheckOptions).catch((e: unknown) => e);
      expect(isTestkitError(error, 'ERR_INVALID_OPTION'), `${field}: ${String(error)}`).toBe(true);
      expect((error as { field: string }).field).toBe(field);
    }
    const notAFunction = await checkSystem('setup' as never, { faults, invariants: [] }).catch(
      (e: unknown) => e,
    );
    expect((notAFunction as { field: string }).field).toBe('setup');
    expect(() => faultSchedule({ maxFaults: -1 })).toThrow(/maxFaults/);
    expect(ran).toBe(0);
  });

  it('refuses a hand-written schedule with an unknown fault or a bad number, naming it', async () => {
    const bad: [unknown, string][] = [
      ['not a list', 'schedule'],
      [[{ kind: 'explode', at: 1 }], 'schedule[0].kind'],
      [[{ kind: 'crash', at: -5, target: { name: 'x' }, reason: 'kill' }], 'schedule[0].at'],
      [
        [
          { kind: 'clock-jump', at: 1, ms: 1 },
          { kind: 'slow', label: 'x', nth: 1, ms: Number.NaN },
        ],
        'schedule[1].ms',
      ],
    ];
    for (const [schedule, field] of bad) {
      const error = await replaySystem(() => {}, {
        invariants: [],
        seed: 1,
        schedule: schedule as Fault[],
      }).catch((e: unknown) => e);
      expect(isTestkitError(error, 'ERR_INVALID_OPTION'), String(error)).toBe(true);
      expect((error as { field: string }).field).toBe(field);
    }
    const seed = await replaySystem(() => {}, { invariants: [], seed: 1.5, schedule: [] }).catch(
      (e: unknown) => e,
    );
    expect((seed as { field: string }).field).toBe('seed');
  });

  it('takes FC_SEED from the environment when no seed is given, as warden property tests do', async () => {
    const before = process.env.FC_SEED;
    process.env.FC_SEED = '4242';
    try {
      const faults = fc.constant<readonly Fault[]>([]);
      const report = await checkSystem(() => {}, {
        faults,
        invariants: [invariant('x', () => undefined)],
        runs: 2,
      });
      expect(report.seed).toBe(4242);
      const given = await checkSystem(() => {}, {
        faults,
        invariants: [invariant('x', () => undefined)],
        runs: 2,
        seed: 7,
      });
      expect(given.seed).toBe(7);
    } finally {
      if (before === undefined) delete process.env.FC_SEED;
      else process.env.FC_SEED = before;
    }
  });

  it('hands a setup that throws to the caller as it is, not as a broken invariant', async () => {
    const error = await checkSystem(
      () => {
        throw new Error('the setup is wrong');
      },
      {
        faults: fc.constant<readonly Fault[]>([]),
        invariants: [invariant('x', () => undefined)],
        runs: 3,
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(isTestkitError(error)).toBe(false);
    expect((error as Error).message).toBe('the setup is wrong');
  });
});
