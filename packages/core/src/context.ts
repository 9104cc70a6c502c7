import type { Ignore } from './actor-result.js';
import type { Behaviour } from './behaviour.js';
import type { WardenError } from './errors.js';
import type { SupervisorEvent } from './events.js';
import type { ExitReason } from './exit-reason.js';
import type { MailboxOptions } from './mailbox.js';
import type { CallRequest } from './messages.js';
import type { Node } from './node.js';
import type { Pid } from './pid.js';
import type { PoisonGuard } from './poison-guard.js';
import type { Ref } from './ref.js';

/** Where a message can go: a pid, or a name registered on the sender's node. */
export type Address = Pid | string;

export interface SpawnOptions<A = unknown> {
  /** Passed to `init` (or to the process function). */
  readonly args?: A;
  /** Registers the new process under this name before it runs. */
  readonly name?: string;
  /** Start with exits trapped (as if the process called `ctx.trapExit(true)` first). */
  readonly trapExit?: boolean;
  readonly mailbox?: Partial<MailboxOptions>;
  /** Quarantines messages that crash the handler too often (see `createPoisonGuard`). */
  readonly poison?: PoisonGuard;
}

/** Options of a synchronous start (`ctx.startLink`, `node.start`): OTP's start options. */
export interface StartOptions<A = unknown> extends SpawnOptions<A> {
  /**
   * Milliseconds on the node's clock that `init` may take (OTP's `{timeout, T}`). Past it the
   * process is killed, its name released, and the start rejects with `ERR_START_TIMEOUT`.
   * Default `Infinity`, as in OTP.
   */
  readonly timeout?: number;
}

/** Options of a synchronous stop (`node.stopProcess`): OTP's `gen_server:stop/3` timeout. */
export interface StopOptions {
  /**
   * Milliseconds on the node's clock to wait for the process to end; past it the stop rejects
   * with `ERR_STOP_TIMEOUT` and the process is left to finish. Default `Infinity`, as in OTP.
   */
  readonly timeout?: number;
}

export interface CallOptions {
  /** Milliseconds on the node's clock; default 5000; `Infinity` waits for ever. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

export interface ReceiveOptions {
  /** Milliseconds on the node's clock. `0` polls; omitted or `Infinity` waits for ever. */
  readonly timeout?: number;
}

/**
 * What a process sees of the runtime: its own pid, messaging, links, monitors, timers and
 * children. Handlers and process functions receive it; it is valid for the process's lifetime.
 * After a process is killed (fenced), everything it still does through its context is discarded:
 * sends and replies become `fenced` dead letters and spawns start nothing.
 */
export interface ActorContext {
  readonly self: Pid;
  readonly node: Node;
  /** The process that spawned this one, if any. */
  readonly parent: Pid | undefined;
  /** Aborted when the process ends for any reason: pass it to in-flight work (a model call). */
  readonly signal: AbortSignal;
  /**
   * Calls `listener` once when the process ends, for any reason, with the error `signal` aborts
   * with (`ERR_ABORTED`, its `reason` the exit reason), right after `signal`'s own listeners: for
   * code that only needs to know, without the `AbortSignal` (made on first read) and its event
   * dispatch. On a process that has already ended it is called at once. Returns its removal. A
   * listener that throws is reported as an uncaught exception, as an abort listener's would be.
   */
  onExit(listener: (error: WardenError) => void): () => void;
  /** The node clock's current time in milliseconds. */
  now(): number;

  spawn<A>(behaviour: Behaviour<A>, options?: SpawnOptions<A>): Pid;
  spawnLink<A>(behaviour: Behaviour<A>, options?: SpawnOptions<A>): Pid;
  /**
   * Spawns a linked child and waits until its `init` has finished (OTP's synchronous start).
   * Resolves with the pid, or `IGNORE`; rejects with `ERR_START_FAILED` carrying the reason.
   */
  startLink<A>(behaviour: Behaviour<A>, options?: StartOptions<A>): Promise<Pid | Ignore>;

  send(to: Address, message: unknown): void;
  cast(to: Address, message: unknown): void;
  call<R = unknown>(to: Address, request: unknown, options?: CallOptions): Promise<R>;
  /** Answers a call whose handler returned `noreply`. A second reply to the same call is dropped. */
  reply(from: CallRequest, value: unknown): void;

  link(pid: Pid): void;
  unlink(pid: Pid): void;
  monitor(pid: Pid): Ref;
  /** Removes the monitor; with `flush`, also a DOWN already queued. Returns whether it was active. */
  demonitor(ref: Ref, options?: { flush?: boolean }): boolean;
  /** Sets the trap-exit flag, returning the previous value. */
  trapExit(on: boolean): boolean;

  /** Ends this process with `reason` (default `normal`); nothing after it runs. */
  exit(reason?: ExitReason): never;
  /** Sends an exit signal to another process (`exit/2`). */
  exit(pid: Pid, reason: ExitReason): void;

  /**
   * Selective receive: resolves with the oldest queued message that `match` accepts (any message
   * without `match`), leaving the others in order. Rejects with `ERR_RECEIVE_TIMEOUT` after
   * `timeout` ms on the node's clock.
   */
  receive<T = unknown>(
    match?: ((message: unknown) => message is T) | ((message: unknown) => boolean),
    options?: ReceiveOptions,
  ): Promise<T>;

  /**
   * Removes every queued message that `match` accepts, without receiving them, and returns how
   * many: the clean-up after a protocol that may leave stale replies behind (a supervisor's
   * shutdown of its children).
   */
  flush(match: (message: unknown) => boolean): number;

  /** Sends `message` to `to` after `delayMs` on the node's clock. Cancelled if this process exits. */
  sendAfter(to: Address, message: unknown, delayMs: number): Ref;
  /** Cancels a timer; returns whether it was still pending. */
  cancelTimer(ref: Ref): boolean;

  register(name: string): void;

  /**
   * Puts an event on the node's stream (nothing is done when nobody observes it; test
   * `ctx.node.observed` before building a costly one). A supervisor event (`supervisor.*` of
   * `NodeEvent`) goes on the stream as itself and must name this process as its `supervisor`; any
   * other type arrives wrapped in a `published` event carrying this process's pid. A process that
   * has ended publishes nothing.
   */
  publish(event: SupervisorEvent | { readonly type: string }): void;

  /**
   * Reports `amount` (finite, >= 0) of a metered quantity (`'tokens'`, `'costUsd'`) this process
   * spent. It goes, as a `MeterReport`, to the nearest ancestor (following `parent`) that collects
   * `meter`: a supervisor with that meter, which counts it and reports it on to its own nearest
   * collector, so a limit high in a tree counts everything spent below it. Ancestors that do not
   * collect it (a worker that started a supervisor of its own, a supervisor without that meter)
   * are passed over and never see it; with no collector above, nothing is sent. A report never
   * throws at the reporter: a full mailbox makes it a dead letter. A process that has ended
   * reports nothing.
   */
  report(meter: string, amount: number): void;

  /**
   * Makes this process the collector of the named meters for its descendants (replacing any
   * earlier set; `[]` stops collecting): their `report`s for those names arrive in its mailbox as
   * `MeterReport`s. A supervisor with `meters` calls it in its init.
   */
  collectReports(meters: readonly string[]): void;
}
