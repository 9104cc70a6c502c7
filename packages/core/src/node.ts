import type { Ignore } from './actor-result.js';
import type { Behaviour } from './behaviour.js';
import type { Clock } from './clock.js';
import type { Address, CallOptions, SpawnOptions, StartOptions, StopOptions } from './context.js';
import type { DeadLetters } from './dead-letters.js';
import type { InspectOptions, Observer } from './events.js';
import type { ExitReason } from './exit-reason.js';
import type { MailboxOptions } from './mailbox.js';
import type { Pid } from './pid.js';
import type { Ref } from './ref.js';
import type { ContextPropagation } from './trace-context.js';
import type { Transport } from './transport.js';

export interface NodeOptions {
  /** The node's name, unique in its cluster: letters, digits, `_`, `-`, `.`, `@`. */
  readonly name: string;
  /** Default: the system's monotonic clock. Tests pass a `TestClock`. */
  readonly clock?: Clock;
  readonly transport?: Transport;
  /** Default mailbox bound and overflow policy for processes spawned without their own. */
  readonly mailbox?: Partial<MailboxOptions>;
  /** Messages handled per scheduler turn before yielding to the event loop. Default 8192. */
  readonly budget?: number;
  /** Messages one process handles before the next gets a turn. Default 128. */
  readonly slice?: number;
  /** How many recent dead letters are kept for inspection (all are counted). Default 100. */
  readonly deadLetterHistory?: number;
  /**
   * Where errors the runtime catches to protect itself go: an observer that threw, an invariant
   * broken by a peer's envelope. Default: console.error.
   */
  readonly onError?: (error: unknown) => void;
}

/** A snapshot of one process, for inspection and tests. */
export interface ProcessInfo {
  readonly pid: Pid;
  readonly name: string | undefined;
  readonly parent: Pid | undefined;
  readonly trapExit: boolean;
  readonly links: Pid[];
  readonly monitors: Pid[];
  readonly monitoredBy: Pid[];
  readonly mailboxSize: number;
}

/**
 * An actor system, like an Erlang node: a process table, a registry, a scheduler, a dead-letter
 * sink and an event stream. Calls made here (outside any process) come from the node's system
 * process.
 */
export interface Node {
  readonly name: string;
  /** Fresh each time a node starts; a pid of another incarnation never reaches this one. */
  readonly incarnation: string;
  readonly clock: Clock;
  readonly deadLetters: DeadLetters;
  readonly stopped: boolean;
  /**
   * Aborted when the node stops (with an `ERR_NODE_STOPPED` reason): what the packages above the
   * core listen to, to cancel their own timers and listeners with the node. Already aborted on a
   * stopped node.
   */
  readonly signal: AbortSignal;

  spawn<A>(behaviour: Behaviour<A>, options?: SpawnOptions<A>): Pid;
  /**
   * Spawns (unlinked) and waits for `init` to finish: resolves with the pid or `IGNORE`, rejects
   * with `ERR_START_FAILED` carrying the exit reason. Use it to start the top of a tree.
   */
  start<A>(behaviour: Behaviour<A>, options?: StartOptions<A>): Promise<Pid | Ignore>;
  /** Never throws for a dead or unknown target: the message becomes a counted dead letter. */
  send(to: Address, message: unknown): void;
  cast(to: Address, message: unknown): void;
  call<R = unknown>(to: Address, request: unknown, options?: CallOptions): Promise<R>;
  /**
   * Stops a process synchronously (OTP's `gen_server:stop/3`): a `defineActor` process runs
   * `terminate` after the messages queued before the request, then ends with `reason` (default
   * `normal`); a process function ends at once. Resolves once it has ended with that reason;
   * rejects with `ERR_EXIT` carrying the reason it ended with instead, `ERR_NOPROC` if there is
   * no such process, `ERR_STOP_TIMEOUT` if it has not ended within `timeout` (it is then left to
   * finish, as in OTP).
   */
  stopProcess(target: Address, reason?: ExitReason, options?: StopOptions): Promise<void>;
  /** Sends an exit signal from the node's system process (`exit/2`). */
  exit(pid: Pid, reason: ExitReason): void;

  register(name: string, pid: Pid): void;
  unregister(name: string): boolean;
  whereis(name: string): Pid | undefined;
  registered(): string[];

  sendAfter(to: Address, message: unknown, delayMs: number): Ref;
  cancelTimer(ref: Ref): boolean;

  isAlive(pid: Pid): boolean;
  /** Live processes, excluding the node's own system process. */
  processes(): Pid[];
  processInfo(pid: Pid): ProcessInfo | undefined;
  /**
   * Subscribes to the node's event stream; returns the unsubscribe function. With `types`, the
   * observer gets only those, and an event no observer asked for is not even built. Throws
   * `ERR_INVALID_ARGUMENT` for an observer that is not a function or an unknown type.
   */
  inspect(observer: Observer, options?: InspectOptions): () => void;
  /** True when some observer reads `published` events: build events for `publish` only then. */
  readonly observed: boolean;
  /** Publishes an event of a package above the core into the stream, as a `published` event. */
  publish(event: { readonly type: string }): void;
  /**
   * Carries trace context in this node's messages (decision 0043): from now on a send, cast, call
   * or `sendAfter` takes the sender's `current()` context along, to this node's processes and
   * across the wire, and a handler (`init` excepted) runs inside what its message carried. A
   * process function's `receive` gets the message without entering its context. `undefined`
   * removes it. Throws `ERR_INVALID_ARGUMENT` for anything but `{ current, run }` functions.
   */
  setContextPropagation(propagation: ContextPropagation | undefined): void;
  /** The propagation installed, if any. */
  readonly contextPropagation: ContextPropagation | undefined;
  /** Connected nodes (not including this one). */
  nodes(): string[];
  /** True when nothing is runnable: used by `TestClock.settle`. */
  isIdle(): boolean;
  /** Ends every process with `shutdown` and leaves the cluster. Idempotent. */
  stop(): Promise<void>;
}
