import { isPid, type Pid } from '../pid.js';
import { createPoisonGuard, type PoisonGuard } from '../poison-guard.js';
import type { NormalizedChildSpec } from './child-spec.js';
import type { SupervisorFlags } from './flags.js';
import { type Meter, newMeters } from './supervisor-meters.js';
import type { ChildCounts, ChildInfo } from './supervisor-results.js';

/** A child that failed to restart and waits for a retry (OTP's `{restarting, OldPid}`). */
export const RESTARTING = 'restarting' as const;

export interface Child {
  /** Static children: the spec id. Dynamic children: a key unique within the supervisor. */
  readonly key: string;
  readonly spec: NormalizedChildSpec;
  pid: Pid | typeof RESTARTING | undefined;
  /** While `pid` is RESTARTING: the pid that exited (OTP's `{restarting, OldPid}`). */
  restartingFrom?: Pid | undefined;
  info: unknown;
  /** simple_one_for_one: the `extra` the child was started with, reused on restart. */
  readonly extra: unknown;
  readonly poison: PoisonGuard | undefined;
}

/**
 * The supervisor's children in start order, and its restart history. Static children are kept in
 * an array (there are few); dynamic ones in insertion-ordered maps by key and by pid, so that a
 * supervisor of 100 000 children finds one in O(1).
 */
export class SupervisorState {
  readonly flags: SupervisorFlags;
  readonly template: NormalizedChildSpec | undefined;
  children: Child[] = [];
  readonly dynamic = new Map<string, Child>();
  readonly #byPid = new Map<string, Child>();
  readonly #byRestartingPid = new Map<string, Child>();
  restarts: number[] = [];
  /** The metered-intensity windows by meter name; `undefined` without meters. */
  readonly meters: Map<string, Meter> | undefined;
  #nextKey = 0;
  readonly #templatePoison: PoisonGuard | undefined;

  constructor(flags: SupervisorFlags, template: NormalizedChildSpec | undefined) {
    this.flags = flags;
    this.template = template;
    this.meters = newMeters(flags.meters);
    this.#templatePoison = template === undefined ? undefined : this.newPoisonGuard();
  }

  get isSimple(): boolean {
    return this.flags.strategy === 'simple_one_for_one';
  }

  newPoisonGuard(): PoisonGuard | undefined {
    const poison = this.flags.poison;
    if (poison === undefined) return undefined;
    return createPoisonGuard(
      poison.windowMs === undefined
        ? { threshold: poison.threshold }
        : { threshold: poison.threshold, windowMs: poison.windowMs },
    );
  }

  newDynamicChild(extra: unknown): Child {
    const spec = this.template as NormalizedChildSpec;
    return {
      key: `#${this.#nextKey++}`,
      spec,
      pid: undefined,
      info: undefined,
      extra,
      poison: this.#templatePoison,
    };
  }

  byId(id: string): Child | undefined {
    return this.children.find((c) => c.key === id);
  }

  byKey(key: string): Child | undefined {
    return this.isSimple ? this.dynamic.get(key) : this.byId(key);
  }

  byPid(pid: Pid): Child | undefined {
    return this.#byPid.get(pid.key);
  }

  /** The child waiting for a restart since `pid` exited. */
  byRestartingPid(pid: Pid): Child | undefined {
    return this.#byRestartingPid.get(pid.key);
  }

  /** Records a child's new pid (or none), keeping the pid indexes in step. */
  setPid(child: Child, pid: Pid | typeof RESTARTING | undefined, info?: unknown): void {
    const previous = child.pid;
    if (isPid(previous)) this.#byPid.delete(previous.key);
    if (pid === RESTARTING) {
      // A retry keeps the pid of the exit that started the restart.
      if (isPid(previous)) this.#setRestartingFrom(child, previous);
    } else {
      this.#setRestartingFrom(child, undefined);
    }
    child.pid = pid;
    child.info = info;
    if (isPid(pid)) this.#byPid.set(pid.key, child);
  }

  #setRestartingFrom(child: Child, pid: Pid | undefined): void {
    if (child.restartingFrom !== undefined) this.#byRestartingPid.delete(child.restartingFrom.key);
    child.restartingFrom = pid;
    if (pid !== undefined) this.#byRestartingPid.set(pid.key, child);
  }

  add(child: Child): void {
    if (this.isSimple) this.dynamic.set(child.key, child);
    else this.children.push(child);
    if (isPid(child.pid)) this.#byPid.set(child.pid.key, child);
  }

  remove(child: Child): void {
    if (isPid(child.pid)) this.#byPid.delete(child.pid.key);
    this.#setRestartingFrom(child, undefined);
    if (this.isSimple) this.dynamic.delete(child.key);
    else this.children = this.children.filter((c) => c !== child);
  }

  /** Every child in start order. */
  all(): Child[] {
    return this.isSimple ? [...this.dynamic.values()] : this.children;
  }

  liveSignificant(): boolean {
    return this.all().some((c) => c.spec.significant && isPid(c.pid));
  }

  which(): ChildInfo[] {
    return this.all().map((c) => ({
      id: this.isSimple ? undefined : c.key,
      pid: c.pid,
      type: c.spec.type,
    }));
  }

  counts(): ChildCounts {
    const all = this.all();
    if (this.isSimple) {
      // OTP: one spec; active = dynamic children not waiting for a restart.
      let active = 0;
      for (const c of all) if (c.pid !== RESTARTING) active++;
      const type = this.template?.type;
      return {
        specs: 1,
        active,
        supervisors: type === 'supervisor' ? all.length : 0,
        workers: type === 'worker' ? all.length : 0,
      };
    }
    let active = 0;
    let supervisors = 0;
    for (const c of all) {
      if (isPid(c.pid)) active++;
      if (c.spec.type === 'supervisor') supervisors++;
    }
    return { specs: all.length, active, supervisors, workers: all.length - supervisors };
  }
}
