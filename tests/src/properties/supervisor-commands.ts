/**
 * The commands of the model-based supervisor test and their generators. Each command acts on the
 * real supervisor, applies the same step to the reference model, compares API results, then runs
 * `verify` (supervisor liveness, whichChildren, pids, orphans, countChildren).
 */
import {
  deleteChild,
  restartChild,
  type StartChildResult,
  startChild,
  terminateChild,
} from '@warden/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { type Crash, crashArb, inject } from './crash.js';
import type { ModelFlags, SupervisorModel } from './supervisor-model.js';
import * as model from './supervisor-model.js';
import {
  type ChildPlan,
  childSpec,
  modelReason,
  pidOf,
  type SupervisorSystem,
  verify,
} from './supervisor-system.js';

type Command = fc.AsyncCommand<SupervisorModel, SupervisorSystem>;

/** Ids come from a small pool, so that commands hit existing and missing children alike. */
export const CHILD_IDS = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'] as const;

const alive = (m: SupervisorModel): boolean => m.alive;

class CrashChild implements Command {
  constructor(
    readonly pick: number,
    readonly crash: Crash,
  ) {}
  check(m: Readonly<SupervisorModel>): boolean {
    return m.alive && m.children.some(model.isRunning);
  }
  async run(m: SupervisorModel, s: SupervisorSystem): Promise<void> {
    const running = m.children.filter(model.isRunning);
    const child = running[this.pick % running.length] as model.ModelChild;
    inject(s.node, pidOf(s, child.gen), this.crash);
    await s.clock.settle();
    model.childExits(m, child.id, modelReason(this.crash));
    await verify(m, s);
  }
  toString(): string {
    return `crash(#${this.pick}, ${JSON.stringify(this.crash)})`;
  }
}

/**
 * Two children end at once, before the supervisor acts. Kills act at once, the other crashes when
 * the workers run, in order; so the supervisor sees the kills' EXITs first. An EXIT of a child
 * that the first restart's group shuts down is consumed by that shutdown (item 33): no restart.
 */
class CrashTwo implements Command {
  constructor(
    readonly picks: readonly [number, number],
    readonly crashes: readonly [Crash, Crash],
  ) {}
  check(m: Readonly<SupervisorModel>): boolean {
    return m.alive && m.children.filter(model.isRunning).length >= 2;
  }
  async run(m: SupervisorModel, s: SupervisorSystem): Promise<void> {
    const running = m.children.filter(model.isRunning);
    const first = running[this.picks[0] % running.length] as model.ModelChild;
    const others = running.filter((c) => c !== first);
    const second = others[this.picks[1] % others.length] as model.ModelChild;
    const hits = [
      { child: first, gen: first.gen, crash: this.crashes[0] },
      { child: second, gen: second.gen, crash: this.crashes[1] },
    ];
    for (const hit of hits) inject(s.node, pidOf(s, hit.gen), hit.crash);
    await s.clock.settle();
    const kills = hits.filter((h) => h.crash.kind === 'kill');
    for (const hit of [...kills, ...hits.filter((h) => h.crash.kind !== 'kill')]) {
      if (!m.alive || hit.child.gen !== hit.gen || !m.children.includes(hit.child)) continue;
      model.childExits(m, hit.child.id, modelReason(hit.crash));
    }
    await verify(m, s);
  }
  toString(): string {
    return `crashTwo(#${this.picks.join(', #')}, ${JSON.stringify(this.crashes)})`;
  }
}

class AdvanceTime implements Command {
  constructor(readonly ms: number) {}
  check = alive;
  async run(m: SupervisorModel, s: SupervisorSystem): Promise<void> {
    await s.clock.advance(this.ms);
    model.advance(m, this.ms);
    await verify(m, s);
  }
  toString(): string {
    return `advance(${this.ms})`;
  }
}

class TerminateChild implements Command {
  constructor(readonly id: string) {}
  check = alive;
  async run(m: SupervisorModel, s: SupervisorSystem): Promise<void> {
    const result = await terminateChild(s.node, s.sup, this.id);
    expect(resultOf(result), `terminateChild(${this.id})`).toBe(model.terminateChild(m, this.id));
    await verify(m, s);
  }
  toString(): string {
    return `terminateChild(${this.id})`;
  }
}

class RestartChild implements Command {
  constructor(readonly id: string) {}
  check = alive;
  async run(m: SupervisorModel, s: SupervisorSystem): Promise<void> {
    const result = await restartChild(s.node, s.sup, this.id);
    expect(resultOf(result), `restartChild(${this.id})`).toBe(model.restartChild(m, this.id));
    await verify(m, s);
  }
  toString(): string {
    return `restartChild(${this.id})`;
  }
}

class DeleteChild implements Command {
  constructor(readonly id: string) {}
  check = alive;
  async run(m: SupervisorModel, s: SupervisorSystem): Promise<void> {
    const result = await deleteChild(s.node, s.sup, this.id);
    expect(resultOf(result), `deleteChild(${this.id})`).toBe(model.deleteChild(m, this.id));
    await verify(m, s);
  }
  toString(): string {
    return `deleteChild(${this.id})`;
  }
}

class StartChild implements Command {
  constructor(readonly plan: ChildPlan) {}
  check = alive;
  async run(m: SupervisorModel, s: SupervisorSystem): Promise<void> {
    const before = m.children.find((c) => c.id === this.plan.id);
    const result: StartChildResult = await startChild(s.node, s.sup, childSpec(this.plan));
    const expected = model.startChild(m, this.plan);
    expect(resultOf(result), `startChild(${this.plan.id})`).toBe(expected);
    if (expected === 'already_started' && !result.ok && result.error === 'already_started') {
      expect(result.pid.key, 'already_started names the running pid').toBe(
        pidOf(s, before?.gen).key,
      );
    }
    await verify(m, s);
  }
  toString(): string {
    return `startChild(${JSON.stringify(this.plan)})`;
  }
}

function resultOf(result: { readonly ok: boolean; readonly error?: string }): string {
  return result.ok ? 'ok' : (result.error ?? 'error');
}

// ---- generators --------------------------------------------------------------------------------

const restartArb = fc.constantFrom<model.RestartType>('permanent', 'transient', 'temporary');

export function childPlanArb(id: fc.Arbitrary<string>): fc.Arbitrary<ChildPlan> {
  return fc.record({
    id,
    restart: restartArb,
    shutdown: fc.constantFrom<ChildPlan['shutdown']>('brutal_kill', 0, 5000, 'infinity'),
    trap: fc.boolean(),
  });
}

export const flagsArb: fc.Arbitrary<ModelFlags> = fc.record({
  strategy: fc.constantFrom<model.Strategy>('one_for_one', 'one_for_all', 'rest_for_one'),
  intensity: fc.integer({ min: 0, max: 4 }),
  // Round periods too, so that advances land exactly on the window's inclusive edge.
  period: fc.oneof(fc.constantFrom(1000, 5000, 10000), fc.integer({ min: 1000, max: 10000 })),
});

export const childrenArb: fc.Arbitrary<ChildPlan[]> = fc.uniqueArray(
  childPlanArb(fc.constantFrom(...CHILD_IDS)),
  { minLength: 1, maxLength: 6, selector: (c) => c.id },
);

const idArb = fc.constantFrom(...CHILD_IDS);
const crashCommand = fc
  .tuple(fc.nat({ max: 5 }), crashArb)
  .map(([pick, crash]) => new CrashChild(pick, crash));

export const commandArbs: fc.Arbitrary<Command>[] = [
  crashCommand,
  crashCommand,
  crashCommand,
  fc
    .tuple(fc.tuple(fc.nat({ max: 5 }), fc.nat({ max: 5 })), fc.tuple(crashArb, crashArb))
    .map(([picks, crashes]) => new CrashTwo(picks, crashes)),
  fc
    .oneof(fc.integer({ min: 0, max: 12000 }), fc.constantFrom(1, 999, 1000, 5000, 10000))
    .map((ms) => new AdvanceTime(ms)),
  idArb.map((id) => new TerminateChild(id)),
  idArb.map((id) => new RestartChild(id)),
  idArb.map((id) => new DeleteChild(id)),
  childPlanArb(idArb).map((plan) => new StartChild(plan)),
];
