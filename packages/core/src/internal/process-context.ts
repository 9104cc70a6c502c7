import type { Ignore } from '../actor-result.js';
import type { Behaviour } from '../behaviour.js';
import type {
  ActorContext,
  Address,
  CallOptions,
  ReceiveOptions,
  SpawnOptions,
  StartOptions,
} from '../context.js';
import { invalidArgument, WardenError } from '../errors.js';
import { isSupervisorEventType, type SupervisorEvent } from '../events.js';
import { type ExitReason, isExitReason } from '../exit-reason.js';
import { EMPTY } from '../mailbox.js';
import { type CallRequest, DownMessage } from '../messages.js';
import { MeterReport } from '../meter-report.js';
import type { Node } from '../node.js';
import { isPid, type Pid, samePid } from '../pid.js';
import type { Ref } from '../ref.js';
import type { Process, Waiter } from './process.js';
import { never, PROCESS_EXIT } from './runner.js';
import { signalError } from './signal-error.js';
import { untraced } from './traced-message.js';

/** Whether a process's context collects `meter` (reached by `report`, never by user code). */
let collectsMeter: (ctx: object, meter: string) => boolean;

/**
 * The `ActorContext` a process's code is given: a separate object that forwards to the process
 * cell, which it holds in a private field. Casting a context therefore reaches nothing of the
 * engine: what a user-written behaviour (the supervisor included) can do is exactly what this
 * class offers. One is made per process, never per message.
 */
export class ProcessContext implements ActorContext {
  readonly #p: Process;
  /** The meters this process collects for its descendants (`collectReports`); usually none. */
  #collects: ReadonlySet<string> | undefined = undefined;

  static {
    collectsMeter = (ctx, meter) => #collects in ctx && ctx.#collects?.has(meter) === true;
  }

  constructor(p: Process) {
    this.#p = p;
  }

  get self(): Pid {
    return this.#p.pid;
  }

  get node(): Node {
    return this.#p.core.api;
  }

  get parent(): Pid | undefined {
    return this.#p.parent;
  }

  get signal(): AbortSignal {
    const p = this.#p;
    if (p.controller === undefined) {
      p.controller = new AbortController();
      if (p.dead) p.controller.abort(signalError('ERR_ABORTED', 'process has exited'));
    }
    return p.controller.signal;
  }

  onExit(listener: (error: WardenError) => void): () => void {
    if (typeof listener !== 'function') throw invalidArgument('listener', listener, 'a function');
    const p = this.#p;
    if (p.dead) {
      listener(signalError('ERR_ABORTED', 'process has exited'));
      return noop;
    }
    const listeners = p.exitListeners ?? (p.exitListeners = []);
    listeners.push(listener);
    return () => {
      const current = p.exitListeners;
      const at = current === undefined ? -1 : current.indexOf(listener);
      if (at >= 0) current?.splice(at, 1);
    };
  }

  now(): number {
    return this.#p.core.clock.now();
  }

  spawn<A>(behaviour: Behaviour<A>, options?: SpawnOptions<A>): Pid {
    return this.#p.core.spawn(behaviour, options, this.#p, false);
  }

  spawnLink<A>(behaviour: Behaviour<A>, options?: SpawnOptions<A>): Pid {
    return this.#p.core.spawn(behaviour, options, this.#p, true);
  }

  startLink<A>(behaviour: Behaviour<A>, options?: StartOptions<A>): Promise<Pid | Ignore> {
    return this.#p.core.start(this.#p, behaviour, options, true);
  }

  send(to: Address, message: unknown): void {
    this.#p.core.router.send(this.#p, to, message, false);
  }

  cast(to: Address, message: unknown): void {
    this.#p.core.router.send(this.#p, to, message, true);
  }

  call<R = unknown>(to: Address, request: unknown, options?: CallOptions): Promise<R> {
    return this.#p.core.calls.call<R>(this.#p, to, request, options);
  }

  reply(from: CallRequest, value: unknown): void {
    const p = this.#p;
    if (p.dead) {
      p.core.deadLetter(from.from, value, 'fenced');
      return;
    }
    p.core.calls.reply(from, value, undefined);
  }

  link(pid: Pid): void {
    if (!this.#p.dead) this.#p.core.signals.link(this.#p, pid);
  }

  unlink(pid: Pid): void {
    if (!this.#p.dead) this.#p.core.signals.unlink(this.#p, pid);
  }

  monitor(pid: Pid): Ref {
    return this.#p.core.signals.monitor(this.#p, pid);
  }

  demonitor(ref: Ref, options?: { flush?: boolean }): boolean {
    const active = this.#p.core.signals.demonitor(this.#p, ref);
    if (options?.flush === true) {
      this.#p.mailbox.removeAll((m) => m instanceof DownMessage && m.ref === ref);
    }
    return active;
  }

  trapExit(on: boolean): boolean {
    const previous = this.#p.trapping;
    this.#p.trapping = on;
    return previous;
  }

  exit(reason?: ExitReason): never;
  exit(pid: Pid, reason: ExitReason): void;
  exit(target?: ExitReason | Pid, reason?: ExitReason): void {
    const p = this.#p;
    if (isPid(target)) {
      if (!isExitReason(reason)) throw invalidArgument('reason', reason, 'an exit reason');
      if (!p.dead) p.core.signals.exitSignal(p.pid, target, reason);
      return;
    }
    const own = target === undefined ? 'normal' : target;
    if (!isExitReason(own)) throw invalidArgument('reason', own, 'an exit reason');
    p.core.terminate(p, own);
    throw PROCESS_EXIT;
  }

  receive<T = unknown>(
    match?: ((message: unknown) => message is T) | ((message: unknown) => boolean),
    options?: ReceiveOptions,
  ): Promise<T> {
    const p = this.#p;
    if (p.dead) return never();
    if (p.waiter !== undefined) {
      return Promise.reject(
        invalidArgument('receive', 'a second receive', 'one receive at a time'),
      );
    }
    const timeout = options?.timeout === undefined ? Number.POSITIVE_INFINITY : options.timeout;
    if (typeof timeout !== 'number' || !(timeout >= 0)) {
      return Promise.reject(invalidArgument('timeout', timeout, 'a number >= 0 or Infinity'));
    }
    // A mailbox may hold traced messages (`TracedMessage`): a receive sees the messages themselves.
    const traced = p.core.traced;
    const found =
      match === undefined
        ? p.mailbox.shift()
        : p.mailbox.extract(traced ? (m) => match(untraced(m)) : match);
    if (found !== EMPTY) return Promise.resolve((traced ? untraced(found) : found) as T);
    if (timeout === 0) return Promise.reject(receiveTimeout(0));
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve: resolve as (m: unknown) => void,
        reject,
        timer: undefined,
      };
      if (timeout !== Number.POSITIVE_INFINITY) {
        waiter.timer = p.core.clock.setTimer(timeout, () => {
          if (p.waiter !== waiter) return;
          p.waiter = undefined;
          reject(receiveTimeout(timeout));
        });
      }
      p.waiter = waiter;
    });
  }

  flush(match: (message: unknown) => boolean): number {
    if (typeof match !== 'function') throw invalidArgument('match', match, 'a function');
    return this.#p.mailbox.removeAll(this.#p.core.traced ? (m) => match(untraced(m)) : match);
  }

  sendAfter(to: Address, message: unknown, delayMs: number): Ref {
    return this.#p.core.timers.sendAfter(this.#p, to, message, delayMs);
  }

  cancelTimer(ref: Ref): boolean {
    return this.#p.core.timers.cancel(ref);
  }

  register(name: string): void {
    if (!this.#p.dead) this.#p.core.registry.register(name, this.#p);
  }

  publish(event: SupervisorEvent | { readonly type: string }): void {
    const type: unknown = (event as { type?: unknown } | undefined)?.type;
    if (typeof type !== 'string') throw invalidArgument('event.type', type, 'a string');
    const p = this.#p;
    const core = p.core;
    if (isSupervisorEventType(type)) {
      // The core's own vocabulary, reported by a process about itself only.
      const supervisor = (event as { supervisor?: unknown }).supervisor;
      if (!isPid(supervisor) || !samePid(supervisor, p.pid)) {
        throw invalidArgument('event.supervisor', supervisor, `the publisher's own pid ${p.pid}`);
      }
      if (!p.dead && core.events.wants(type)) core.emit(event as SupervisorEvent);
      return;
    }
    if (!p.dead && core.events.wants('published')) {
      core.emit({ type: 'published', time: core.clock.now(), event, pid: p.pid });
    }
  }

  report(meter: string, amount: number): void {
    if (typeof meter !== 'string' || meter.length === 0) {
      throw invalidArgument('meter', meter, 'a non-empty string');
    }
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) {
      throw invalidArgument('amount', amount, 'a finite number >= 0');
    }
    const p = this.#p;
    if (p.dead || amount === 0) return;
    const core = p.core;
    // Up the spawn tree (OTP's $ancestors) to the first live local collector of this meter; the
    // walk ends at a root, an ancestor that has ended, or one on another node.
    let via: Process = p;
    for (;;) {
      const parent = via.parent;
      if (parent === undefined) return;
      const next = core.local(parent);
      if (next === undefined || next.dead) return;
      if (collectsMeter(next.ctx, meter)) {
        // Never thrown back at the reporter: a full mailbox (any policy) makes a dead letter.
        core.router.deliver(next, new MeterReport(meter, amount, via.pid), false, false);
        return;
      }
      via = next;
    }
  }

  collectReports(meters: readonly string[]): void {
    if (!Array.isArray(meters) || meters.some((m) => typeof m !== 'string' || m.length === 0)) {
      throw invalidArgument('meters', meters, 'an array of non-empty strings');
    }
    this.#collects = meters.length === 0 ? undefined : new Set(meters);
  }
}

function receiveTimeout(ms: number): WardenError {
  return new WardenError('ERR_RECEIVE_TIMEOUT', `no matching message within ${ms} ms`);
}

function noop(): void {}
