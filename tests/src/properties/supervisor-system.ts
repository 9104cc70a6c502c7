/**
 * The real side of the model-based supervisor test: a TestClock node running one supervisor of
 * small workers that crash or exit on command, and `verify`, which compares it with the model
 * after every command.
 */
import {
  type ChildSpec,
  countChildren,
  createNode,
  defineActor,
  isPid,
  type Node,
  type Pid,
  type Ref,
  type Shutdown,
  samePid,
  startSupervisor,
  whichChildren,
} from '@warden/core';
import { TestClock, TestProbe } from '@warden/core/testing';
import { expect } from 'vitest';
import { type Crash, crashIn, endAs } from './crash.js';
import {
  isRunning,
  type ModelFlags,
  type ModelReason,
  type RestartType,
  type SupervisorModel,
} from './supervisor-model.js';

/** A child as generated: what the model needs (id, restart) and how the worker behaves. */
export interface ChildPlan {
  readonly id: string;
  readonly restart: RestartType;
  readonly shutdown: Shutdown;
  /** Whether the worker traps exits (then a `shutdown` from the supervisor runs its terminate). */
  readonly trap: boolean;
}

export function modelReason(crash: Crash): ModelReason {
  return crash.kind === 'kill' ? 'killed' : crash.kind;
}

/** A worker that does nothing until told to end, then ends exactly as told. */
export const worker = defineActor<null, boolean>({
  init: (trap, ctx) => {
    ctx.trapExit(trap);
    return null;
  },
  handleInfo: (message: unknown, state) => {
    const crash = crashIn(message);
    return crash === undefined ? state : endAs(crash, state);
  },
});

export function childSpec(plan: ChildPlan): ChildSpec {
  return {
    id: plan.id,
    restart: plan.restart,
    shutdown: plan.shutdown,
    start: { behaviour: worker, args: plan.trap },
  };
}

export interface SupervisorSystem {
  readonly clock: TestClock;
  readonly node: Node;
  readonly sup: Pid;
  readonly probe: TestProbe;
  readonly supRef: Ref;
  /** `supervisor.restart` events seen so far. */
  restartEvents: number;
  /** The pid each model generation was seen with: a generation keeps its pid for life. */
  readonly pidByGen: Map<number, Pid>;
  /** Every child pid ever seen: a new generation must get a pid never seen before. */
  readonly seen: Set<string>;
}

export async function startSystem(
  flags: ModelFlags,
  plans: readonly ChildPlan[],
): Promise<SupervisorSystem> {
  const clock = new TestClock();
  const node = createNode({ name: 'model', clock });
  const sup = await startSupervisor(node, { ...flags, children: plans.map(childSpec) });
  if (!isPid(sup)) throw new Error('supervisor did not start');
  const probe = new TestProbe(node);
  const system: SupervisorSystem = {
    clock,
    node,
    sup,
    probe,
    supRef: probe.monitor(sup),
    restartEvents: 0,
    pidByGen: new Map(),
    seen: new Set(),
  };
  node.inspect((e) => {
    if (e.type === 'supervisor.restart') system.restartEvents++;
  });
  return system;
}

/** The real pid of a running model child. */
export function pidOf(system: SupervisorSystem, gen: number | undefined): Pid {
  const pid = gen === undefined ? undefined : system.pidByGen.get(gen);
  if (pid === undefined) throw new Error(`no pid recorded for generation ${gen}`);
  return pid;
}

/** Every invariant of the model-based test, checked after each command. */
export async function verify(model: SupervisorModel, system: SupervisorSystem): Promise<void> {
  const { node, sup, probe } = system;
  expect(node.isAlive(sup), 'supervisor alive').toBe(model.alive);
  expect(system.restartEvents, 'restart events (item 22)').toBe(model.restartEvents);
  const live = node
    .processes()
    .filter((p) => !samePid(p, sup) && !samePid(p, probe.pid))
    .map((p) => p.key)
    .sort();
  if (!model.alive) {
    const down = await probe.expectDown(system.supRef, undefined, { within: 0 });
    expect(down.reason, 'supervisor exit reason (item 23)').toBe('shutdown');
    expect(live, 'processes left after escalation').toEqual([]);
    return;
  }
  const rows = await whichChildren(node, sup);
  expect(
    rows.map((r) => r.id),
    'whichChildren ids in start order',
  ).toEqual(model.children.map((c) => c.id));
  const pids: string[] = [];
  model.children.forEach((child, i) => {
    const pid = rows[i]?.pid;
    expect(isPid(pid), `${child.id} has a pid`).toBe(isRunning(child));
    if (!isPid(pid) || child.gen === undefined) return;
    pids.push(pid.key);
    const known = system.pidByGen.get(child.gen);
    if (known !== undefined) {
      expect(pid.key, `${child.id} was not restarted, keeps its pid`).toBe(known.key);
      return;
    }
    expect(system.seen.has(pid.key), `${child.id} was restarted, has a new pid`).toBe(false);
    system.pidByGen.set(child.gen, pid);
    system.seen.add(pid.key);
  });
  expect(live, 'live workers are exactly the children (no orphans)').toEqual(pids.sort());
  expect(await countChildren(node, sup), 'countChildren agrees with whichChildren').toEqual({
    specs: rows.length,
    active: rows.filter((r) => isPid(r.pid)).length,
    supervisors: 0,
    workers: rows.length,
  });
}
