import type { Ignore } from '../actor-result.js';
import type { Behaviour } from '../behaviour.js';
import type {
  ActorContext,
  Address,
  CallOptions,
  ReceiveOptions,
  SpawnOptions,
} from '../context.js';
import { invalidArgument, WardenError } from '../errors.js';
import { type ExitReason, isExitReason } from '../exit-reason.js';
import { EMPTY, Mailbox, type MailboxOptions } from '../mailbox.js';
import { type CallRequest, DownMessage } from '../messages.js';
import type { Node } from '../node.js';
import { isPid, type Pid } from '../pid.js';
import type { PoisonGuard } from '../poison-guard.js';
import type { Ref } from '../ref.js';
import type { NodeCore } from './node-core.js';
import { NEVER, PROCESS_EXIT, type Runner } from './runner.js';

/** A pending selective receive. */
export interface Waiter {
  readonly match: ((message: unknown) => boolean) | undefined;
  readonly resolve: (message: unknown) => void;
  readonly reject: (error: unknown) => void;
  timer: object | undefined;
}

/** Result of a synchronous start, reported to whoever waits in `startLink`. */
export type StartOutcome =
  | { readonly kind: 'started' }
  | { readonly kind: 'ignored' }
  | { readonly kind: 'failed'; readonly reason: ExitReason };

const STARTED: StartOutcome = Object.freeze({ kind: 'started' });
const IGNORED: StartOutcome = Object.freeze({ kind: 'ignored' });

/**
 * The process cell: one per live process. It is also the process's `ActorContext`, so a process
 * costs one object plus its mailbox. Link, monitor and timer tables are created on first use.
 *
 * Invariant: once `dead` is set it is never cleared, and a dead process produces no output.
 */
export class Process implements ActorContext {
  readonly pid: Pid;
  readonly core: NodeCore;
  readonly mailbox = new Mailbox();
  limits: MailboxOptions;
  runner: Runner;
  parent: Pid | undefined;
  trapping = false;
  dead = false;
  queued = false;
  busy = false;
  name: string | undefined = undefined;
  links: Map<string, Pid> | undefined = undefined;
  /** Monitors held by others on this process: ref -> watcher. */
  monitorsIn: Map<Ref, Pid> | undefined = undefined;
  /** Monitors this process holds: ref -> target. */
  monitorsOut: Map<Ref, Pid> | undefined = undefined;
  timers: Set<Ref> | undefined = undefined;
  controller: AbortController | undefined = undefined;
  waiter: Waiter | undefined = undefined;
  poison: PoisonGuard | undefined;
  onStarted: ((outcome: StartOutcome) => void) | undefined = undefined;
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

  // ---- ActorContext -------------------------------------------------------------------------

  get self(): Pid {
    return this.pid;
  }

  get node(): Node {
    return this.core.api;
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.dead) this.controller.abort(new WardenError('ERR_ABORTED', 'process has exited'));
    }
    return this.controller.signal;
  }

  now(): number {
    return this.core.clock.now();
  }

  spawn<A>(behaviour: Behaviour<A>, options?: SpawnOptions<A>): Pid {
    return this.core.spawn(behaviour, options, this, false);
  }

  spawnLink<A>(behaviour: Behaviour<A>, options?: SpawnOptions<A>): Pid {
    return this.core.spawn(behaviour, options, this, true);
  }

  startLink<A>(behaviour: Behaviour<A>, options?: SpawnOptions<A>): Promise<Pid | Ignore> {
    return this.core.start(this, behaviour, options, true);
  }

  send(to: Address, message: unknown): void {
    this.core.router.send(this, to, message, false);
  }

  cast(to: Address, message: unknown): void {
    this.core.router.send(this, to, message, true);
  }

  call<R = unknown>(to: Address, request: unknown, options?: CallOptions): Promise<R> {
    return this.core.calls.call<R>(this, to, request, options);
  }

  reply(from: CallRequest, value: unknown): void {
    if (this.dead) {
      this.core.deadLetter(from.from, value, 'fenced');
      return;
    }
    this.core.calls.reply(from, value, undefined);
  }

  link(pid: Pid): void {
    if (!this.dead) this.core.signals.link(this, pid);
  }

  unlink(pid: Pid): void {
    if (!this.dead) this.core.signals.unlink(this, pid);
  }

  monitor(pid: Pid): Ref {
    return this.core.signals.monitor(this, pid);
  }

  demonitor(ref: Ref, options?: { flush?: boolean }): boolean {
    const active = this.core.signals.demonitor(this, ref);
    if (options?.flush === true) {
      this.mailbox.removeAll((m) => m instanceof DownMessage && m.ref === ref);
    }
    return active;
  }

  trapExit(on: boolean): boolean {
    const previous = this.trapping;
    this.trapping = on;
    return previous;
  }

  exit(reason?: ExitReason): never;
  exit(pid: Pid, reason: ExitReason): void;
  exit(target?: ExitReason | Pid, reason?: ExitReason): void {
    if (isPid(target)) {
      if (!isExitReason(reason)) throw invalidArgument('reason', reason, 'an exit reason');
      if (!this.dead) this.core.signals.exitSignal(this.pid, target, reason);
      return;
    }
    const own = target === undefined ? 'normal' : target;
    if (!isExitReason(own)) throw invalidArgument('reason', own, 'an exit reason');
    this.core.terminate(this, own);
    throw PROCESS_EXIT;
  }

  receive<T = unknown>(
    match?: ((message: unknown) => message is T) | ((message: unknown) => boolean),
    options?: ReceiveOptions,
  ): Promise<T> {
    if (this.dead) return NEVER;
    if (this.waiter !== undefined) {
      return Promise.reject(
        invalidArgument('receive', 'a second receive', 'one receive at a time'),
      );
    }
    const timeout = options?.timeout === undefined ? Number.POSITIVE_INFINITY : options.timeout;
    if (typeof timeout !== 'number' || !(timeout >= 0)) {
      return Promise.reject(invalidArgument('timeout', timeout, 'a number >= 0 or Infinity'));
    }
    const found = match === undefined ? this.mailbox.shift() : this.mailbox.extract(match);
    if (found !== EMPTY) return Promise.resolve(found as T);
    if (timeout === 0) return Promise.reject(receiveTimeout(0));
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve: resolve as (m: unknown) => void,
        reject,
        timer: undefined,
      };
      if (timeout !== Number.POSITIVE_INFINITY) {
        waiter.timer = this.core.clock.setTimer(timeout, () => {
          if (this.waiter !== waiter) return;
          this.waiter = undefined;
          reject(receiveTimeout(timeout));
        });
      }
      this.waiter = waiter;
    });
  }

  sendAfter(to: Address, message: unknown, delayMs: number): Ref {
    return this.core.timers.sendAfter(this, to, message, delayMs);
  }

  cancelTimer(ref: Ref): boolean {
    return this.core.timers.cancel(ref);
  }

  register(name: string): void {
    if (!this.dead) this.core.registry.register(name, this);
  }
}

function receiveTimeout(ms: number): WardenError {
  return new WardenError('ERR_RECEIVE_TIMEOUT', `no matching message within ${ms} ms`);
}

/**
 * Removes every queued message of a process that matches, at once and without a receive (the
 * supervisor's clean-up after a shutdown). `ctx` is the process's own context.
 */
export function sweepMailbox(ctx: ActorContext, match: (message: unknown) => boolean): number {
  return (ctx as Process).mailbox.removeAll(match);
}
