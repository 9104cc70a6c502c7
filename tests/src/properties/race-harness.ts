/**
 * Shared pieces of the supervisor race tests: a node whose interleavings fast-check's scheduler
 * decides, a worker whose crash and cleanup wait on scheduled gates, the supervisor event log the
 * invariants are computed from, and the invariants themselves.
 */
import {
  type ChildSpec,
  countChildren,
  createNode,
  defineActor,
  isPid,
  type Node,
  type Pid,
  type RestartType,
  type Shutdown,
  whichChildren,
} from '@warden/core';
import { TestClock } from '@warden/core/testing';
import fc from 'fast-check';
import { expect } from 'vitest';
import { crashIn, endAs } from './crash.js';
import { SupervisorLog } from './supervisor-log.js';

/** A point the scheduler releases when it chooses. */
export type Gate = (label: string) => Promise<unknown>;

export interface RaceWorld {
  readonly clock: TestClock;
  readonly node: Node;
  readonly gate: Gate;
  readonly log: SupervisorLog;
}

export function createWorld(s: fc.Scheduler): RaceWorld {
  const clock = new TestClock();
  const node = createNode({ name: 'race', clock });
  const gate: Gate = (label) => s.schedule(Promise.resolve(label), label);
  return { clock, node, gate, log: new SupervisorLog(node) };
}

/**
 * Runs until nothing is left: lets the node settle, releases one scheduled task at a time (the
 * scheduler picks which), and fires timers only when no task is pending. Bounded.
 */
export async function drive(s: fc.Scheduler, clock: TestClock, maxSteps = 500): Promise<void> {
  for (let step = 0; step < maxSteps; step++) {
    await clock.settle();
    if (s.count() > 0) await s.waitNext(1);
    else if (!(await clock.advanceToNext())) return;
  }
  throw new Error(`drive: still busy after ${maxSteps} steps`);
}

export interface RaceWorkerArgs {
  readonly id: string;
  readonly gate: Gate;
  readonly trap: boolean;
  /** Wait for a gate at the end of `init`, so a crash can hit the child while it starts. */
  readonly gatedInit?: boolean;
  /** Told the pid as soon as `init` runs. */
  readonly onInit?: (pid: Pid) => void;
}

/**
 * A worker whose crash waits for a gate before it happens, and which, when it traps exits, waits
 * for another gate in `terminate`: its exit is spread over several scheduler steps.
 */
export const raceWorker = defineActor<RaceWorkerArgs, RaceWorkerArgs>({
  init: async (args, ctx) => {
    ctx.trapExit(args.trap);
    args.onInit?.(ctx.self);
    if (args.gatedInit === true) await args.gate(`${args.id} inits`);
    return args;
  },
  handleInfo: async (message: unknown, args) => {
    const crash = crashIn(message);
    if (crash === undefined) return args;
    await args.gate(`${args.id} crashes`);
    return endAs(crash, args);
  },
  terminate: async (_reason, args) => {
    if (args.trap) await args.gate(`${args.id} terminates`);
  },
});

/**
 * No orphan: every live process is the supervisor, one of the pids `whichChildren` shows, or one
 * of `others`; and `countChildren` agrees with `whichChildren`.
 */
export async function expectTreeConsistent(
  node: Node,
  sup: Pid,
  others: readonly Pid[],
): Promise<void> {
  const alive = node.isAlive(sup);
  const rows = alive ? await whichChildren(node, sup) : [];
  const children = rows.flatMap((r) => (isPid(r.pid) ? [r.pid] : []));
  const expected = [...(alive ? [sup] : []), ...children, ...others].map((p) => p.key).sort();
  const live = node
    .processes()
    .map((p) => p.key)
    .sort();
  expect(live, 'live processes are the tree and nothing else (no orphans)').toEqual(expected);
  if (!alive) return;
  expect(await countChildren(node, sup), 'countChildren agrees with whichChildren').toEqual({
    specs: rows.length,
    active: children.length,
    supervisors: rows.filter((r) => r.type === 'supervisor').length,
    workers: rows.filter((r) => r.type === 'worker').length,
  });
}

export interface WorkerPlan {
  readonly trap: boolean;
  readonly shutdown: Shutdown;
  readonly restart?: RestartType;
}

/**
 * A race worker as a child. After its first start, every start waits on a gate (and `fail(n)`
 * decides whether start n throws), and so does the end of the worker's init.
 */
export function gatedChild(
  w: RaceWorld,
  id: string,
  plan: WorkerPlan,
  fail?: (n: number) => boolean,
) {
  let starts = 0;
  let latest: Pid | undefined;
  const onInit = (pid: Pid): void => {
    latest = pid;
  };
  const spec: ChildSpec = {
    id,
    restart: plan.restart ?? 'permanent',
    shutdown: plan.shutdown,
    start: async (ctx) => {
      const n = starts++;
      if (n > 0) {
        await w.gate(`start ${id} #${n}`);
        if (fail?.(n) === true) throw new Error(`${id} cannot start`);
      }
      const args = { id, gate: w.gate, trap: plan.trap, gatedInit: n > 0, onInit };
      return ctx.startLink(raceWorker, { args });
    },
  };
  return { spec, starts: () => starts, latest: () => latest };
}

export const shutdownArb = fc.constantFrom<Shutdown>('brutal_kill', 0, 5000, 'infinity');
export const workerArb: fc.Arbitrary<WorkerPlan> = fc.record({
  trap: fc.boolean(),
  shutdown: shutdownArb,
});
