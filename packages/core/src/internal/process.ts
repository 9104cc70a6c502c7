import type { ActorContext } from '../context.js';
import type { WardenError } from '../errors.js';
import type { ExitReason } from '../exit-reason.js';
import { Mailbox, type MailboxOptions } from '../mailbox.js';
import type { Pid } from '../pid.js';
import type { PoisonGuard } from '../poison-guard.js';
import type { Ref } from '../ref.js';
import type { NodeCore } from './node-core.js';
import { ProcessContext } from './process-context.js';
import { ProcessRare, type StartOutcome } from './process-rare.js';
import type { Runnable } from './scheduler.js';

/**
 * The engine half of a behaviour: how a process turns queued messages into work.
 * `run` is called for each of the process's turns and returns how many messages it handled.
 */
export interface Runner {
  run(proc: Process): number;
}

/** A pending selective receive. */
export interface Waiter {
  readonly match: ((message: unknown) => boolean) | undefined;
  readonly resolve: (message: unknown) => void;
  readonly reject: (error: unknown) => void;
  timer: object | undefined;
}

export type { StartOutcome } from './process-rare.js';

const STARTED: StartOutcome = Object.freeze({ kind: 'started' });
const IGNORED: StartOutcome = Object.freeze({ kind: 'ignored' });

/**
 * The process cell: one per live process, the engine's record of it. User code never sees it:
 * it gets `ctx`, a `ProcessContext` that forwards here. A name, links, monitors, timers, the abort
 * signal and a waiting start live in a record of their own (`ProcessRare`) made on first use.
 *
 * Invariant: once `dead` is set it is never cleared, and a dead process produces no output.
 */
export class Process implements Runnable {
  readonly pid: Pid;
  readonly core: NodeCore;
  readonly mailbox = new Mailbox();
  /** What the process's code is handed as its `ActorContext`. */
  readonly ctx: ActorContext;
  limits: MailboxOptions;
  runner: Runner;
  parent: Pid | undefined;
  trapping = false;
  dead = false;
  queued = false;
  busy = false;
  /** A pending receive; here, not in `rare`, because every delivery checks it. */
  waiter: Waiter | undefined = undefined;
  poison: PoisonGuard | undefined;
  /** The fields most processes never use, made on the first write of one (see the accessors). */
  rare: ProcessRare | undefined = undefined;
  /** The behaviour's state (defineActor); owned by the runner. */
  state: unknown = undefined;
  /** Spawn args, until init (or the process function) has taken them. */
  args: unknown;
  /** Whether the runner has run init (or started the function). */
  initialized = false;

  constructor(
    core: NodeCore,
    pid: Pid,
    runner: Runner,
    parent: Pid | undefined,
    limits: MailboxOptions,
    poison: PoisonGuard | undefined,
    args: unknown,
  ) {
    this.core = core;
    this.pid = pid;
    this.runner = runner;
    this.parent = parent;
    this.limits = limits;
    this.poison = poison;
    this.args = args;
    this.ctx = new ProcessContext(this);
    // V8 compiles code that reads a field no one has changed since it was set as if it were a
    // constant, and throws that code away the first time the field changes. `dead` changes only
    // when a process ends, so the first exit on a node (a stop) would drop the compiled
    // scheduler and runners at once; changed here, it is an ordinary field from the start.
    this.dead = true;
    this.dead = false;
  }

  run(): number {
    return this.runner.run(this);
  }

  // The rare fields read as if they were the cell's own; writing undefined makes no record.

  get name(): string | undefined {
    return this.rare?.name;
  }
  set name(value: string | undefined) {
    if (value !== undefined || this.rare !== undefined) this.#record().name = value;
  }

  get links(): Map<string, Pid> | undefined {
    return this.rare?.links;
  }
  set links(value: Map<string, Pid> | undefined) {
    if (value !== undefined || this.rare !== undefined) this.#record().links = value;
  }

  /** Monitors held by others on this process: ref -> watcher. */
  get monitorsIn(): Map<Ref, Pid> | undefined {
    return this.rare?.monitorsIn;
  }
  set monitorsIn(value: Map<Ref, Pid> | undefined) {
    if (value !== undefined || this.rare !== undefined) this.#record().monitorsIn = value;
  }

  /** Monitors this process holds: ref -> target. */
  get monitorsOut(): Map<Ref, Pid> | undefined {
    return this.rare?.monitorsOut;
  }
  set monitorsOut(value: Map<Ref, Pid> | undefined) {
    if (value !== undefined || this.rare !== undefined) this.#record().monitorsOut = value;
  }

  get timers(): Set<Ref> | undefined {
    return this.rare?.timers;
  }
  set timers(value: Set<Ref> | undefined) {
    if (value !== undefined || this.rare !== undefined) this.#record().timers = value;
  }

  get controller(): AbortController | undefined {
    return this.rare?.controller;
  }
  set controller(value: AbortController | undefined) {
    if (value !== undefined || this.rare !== undefined) this.#record().controller = value;
  }

  get exitListeners(): ((error: WardenError) => void)[] | undefined {
    return this.rare?.exitListeners;
  }
  set exitListeners(value: ((error: WardenError) => void)[] | undefined) {
    if (value !== undefined || this.rare !== undefined) this.#record().exitListeners = value;
  }

  get onStarted(): ((outcome: StartOutcome) => void) | undefined {
    return this.rare?.onStarted;
  }
  set onStarted(value: ((outcome: StartOutcome) => void) | undefined) {
    if (value !== undefined || this.rare !== undefined) this.#record().onStarted = value;
  }

  #record(): ProcessRare {
    if (this.rare === undefined) this.rare = new ProcessRare();
    return this.rare;
  }

  fail(error: unknown): void {
    this.core.fail(this, error);
  }

  /** Reports the result of `init` once, to a waiting `startLink` (allocates nothing otherwise). */
  started(kind: StartOutcome['kind'], reason?: ExitReason): void {
    const notify = this.onStarted;
    if (notify === undefined) return;
    this.onStarted = undefined;
    notify(
      kind === 'failed'
        ? { kind, reason: reason ?? 'normal' }
        : kind === 'ignored'
          ? IGNORED
          : STARTED,
    );
  }
}
