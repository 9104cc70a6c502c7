import type { DeadLetterReason } from './dead-letters.js';
import type { ExitReason } from './exit-reason.js';
import type { OverflowPolicy } from './mailbox.js';
import type { Pid } from './pid.js';
import type { TraceContextDrop } from './trace-context.js';

/**
 * The one typed event stream of a node. Dashboards, traces and tests subscribe with
 * `node.inspect(observer)`. Events are built only when someone observes, so an unobserved node
 * pays nothing for them.
 */
export type NodeEvent =
  | { type: 'actor.spawned'; time: number; pid: Pid; parent: Pid | undefined }
  | { type: 'actor.exited'; time: number; pid: Pid; reason: ExitReason; cause: ExitCause }
  | CrashReport
  | { type: 'actor.registered'; time: number; pid: Pid; name: string }
  | { type: 'actor.linked'; time: number; pid: Pid; other: Pid }
  | { type: 'actor.unlinked'; time: number; pid: Pid; other: Pid }
  | { type: 'actor.monitored'; time: number; watcher: Pid; target: Pid }
  | { type: 'mailbox.overflow'; time: number; pid: Pid; policy: OverflowPolicy; capacity: number }
  | {
      type: 'deadletter';
      time: number;
      to: Pid | string;
      reason: DeadLetterReason;
      message: unknown;
    }
  | { type: 'poison.quarantined'; time: number; pid: Pid; key: string; crashes: number }
  | {
      /** A trace context from another node was malformed or too large: the message went on without it. */
      type: 'trace_context.dropped';
      time: number;
      to: Pid;
      reason: TraceContextDrop;
    }
  | { type: 'supervisor.child_started'; time: number; supervisor: Pid; id: string; pid: Pid }
  | {
      type: 'supervisor.child_exited';
      time: number;
      supervisor: Pid;
      id: string;
      pid: Pid;
      reason: ExitReason;
    }
  | { type: 'supervisor.restart'; time: number; supervisor: Pid; id: string; delayMs: number }
  | {
      type: 'supervisor.start_failed';
      time: number;
      supervisor: Pid;
      id: string;
      reason: ExitReason;
    }
  | {
      type: 'supervisor.shutdown_error';
      time: number;
      supervisor: Pid;
      id: string;
      reason: ExitReason;
    }
  | { type: 'supervisor.escalated'; time: number; supervisor: Pid; restarts: number }
  | {
      /** A meter's sum over its period passed its limit: the subtree shuts down and escalates. */
      type: 'supervisor.meter_exceeded';
      time: number;
      supervisor: Pid;
      meter: string;
      limit: number;
      spent: number;
      period: number;
    }
  | { type: 'supervisor.auto_shutdown'; time: number; supervisor: Pid; id: string }
  | { type: 'supervisor.unexpected_message'; time: number; supervisor: Pid; message: unknown }
  | { type: 'node.up'; time: number; node: string }
  | { type: 'node.down'; time: number; node: string }
  | { type: 'node.stopped'; time: number; node: string }
  | PublishedEvent;

/**
 * Why a process ended, so a log or a trace can tell a crash from a death it was dealt:
 * - `self`: its own code ended it without a throw (a return, `ctx.exit`, `stop`, `IGNORE`);
 * - `crash`: its own code threw (an `actor.crashed` report precedes the exit);
 * - `signal`: an exit signal (a linked process's exit, `exit(pid, reason)`, a kill, a start
 *   timeout) or, for a gen_server trapping exits, its parent's EXIT;
 * - `stopped`: a synchronous stop (`node.stopProcess`) asked it to end;
 * - `node-stopped`: its node stopped.
 */
export type ExitCause = 'self' | 'crash' | 'signal' | 'stopped' | 'node-stopped';

/** Where in a process's own code the throw happened. */
export type CrashPhase = 'init' | 'handler' | 'terminate' | 'function';

/**
 * A crash report: the process's own code threw. `stack` is the thrown error's, `lastMessage` the
 * message being handled (absent in `init` and in a process function) and `state` the state the
 * handler was given; both are described as text cut at a few hundred characters, so a report
 * can always be logged.
 */
export interface CrashReport {
  readonly type: 'actor.crashed';
  readonly time: number;
  readonly pid: Pid;
  readonly phase: CrashPhase;
  readonly reason: ExitReason;
  readonly stack: string | undefined;
  readonly lastMessage: string | undefined;
  readonly state: string | undefined;
}

/**
 * An event published by code above the core (a machine's inspection, a resilience decision, an
 * agent's step) through `node.publish`, so one stream carries everything. Its own `type` is
 * dotted like the core's (`'xstate.snapshot'`, `'retry.scheduled'`).
 */
export interface PublishedEvent {
  readonly type: 'published';
  readonly time: number;
  readonly event: { readonly type: string };
  /** The process that published it (`ctx.publish`); absent when published on the node. */
  readonly pid?: Pid;
}

/** The events a supervisor reports about itself (through `ctx.publish`, like any behaviour). */
export type SupervisorEvent = Extract<NodeEvent, { supervisor: Pid }>;

/** Keyed by every supervisor event type, so a new one added to `NodeEvent` must be listed here. */
const SUPERVISOR_EVENT_TYPES: Readonly<Record<SupervisorEvent['type'], true>> = {
  'supervisor.child_started': true,
  'supervisor.child_exited': true,
  'supervisor.restart': true,
  'supervisor.start_failed': true,
  'supervisor.shutdown_error': true,
  'supervisor.escalated': true,
  'supervisor.meter_exceeded': true,
  'supervisor.auto_shutdown': true,
  'supervisor.unexpected_message': true,
};

export function isSupervisorEventType(type: string): type is SupervisorEvent['type'] {
  return Object.hasOwn(SUPERVISOR_EVENT_TYPES, type);
}

export type NodeEventType = NodeEvent['type'];
export type Observer = (event: NodeEvent) => void;

/** What an observer asks of the stream (`node.inspect(observer, options)`). */
export interface InspectOptions {
  /**
   * The event types the observer reads; it gets only those, and a type no observer asked for is
   * never built (a crash report describes the crashed process's state, which can be large).
   * Absent: every type, now and any added later.
   */
  readonly types?: readonly NodeEventType[];
}

/** Keyed by every event type, so a new one added to `NodeEvent` must be listed here. */
const EVENT_TYPES: Readonly<Record<NodeEventType, true>> = {
  'actor.spawned': true,
  'actor.exited': true,
  'actor.crashed': true,
  'actor.registered': true,
  'actor.linked': true,
  'actor.unlinked': true,
  'actor.monitored': true,
  'mailbox.overflow': true,
  deadletter: true,
  'poison.quarantined': true,
  'trace_context.dropped': true,
  ...SUPERVISOR_EVENT_TYPES,
  'node.up': true,
  'node.down': true,
  'node.stopped': true,
  published: true,
};

export function isNodeEventType(type: unknown): type is NodeEventType {
  return typeof type === 'string' && Object.hasOwn(EVENT_TYPES, type);
}

/** How many subscriptions receive each type: one number per type, read before building one. */
type Wanted = Record<NodeEventType, number>;

/** Every type at 0, copied for each stream (a node is made per simulated run). */
const NONE_WANTED: Readonly<Wanted> = Object.freeze(
  Object.fromEntries(Object.keys(EVENT_TYPES).map((type) => [type, 0])) as Wanted,
);

const ALL_TYPES = Object.keys(EVENT_TYPES) as readonly NodeEventType[];

interface Subscription {
  readonly observer: Observer;
  /** Absent: every type. */
  readonly types: ReadonlySet<NodeEventType> | undefined;
}

/**
 * Fan-out to observers. An observer that throws is reported through `onError` and keeps its
 * subscription; it can never break the runtime or the other observers.
 */
export class EventStream {
  #subscriptions: Subscription[] = [];
  #closed = false;
  /** One property per type, so a check of a constant type is one property read. */
  #wanted: Wanted = { ...NONE_WANTED };
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
    // Both change when the node stops (or the first observer subscribes): changed here, so that
    // code compiled while they were unchanged (every `active` check of a send) is not dropped
    // then (see the same in the core's Process).
    this.#closed = true;
    this.#closed = false;
    this.#subscriptions = [];
  }

  /** True when at least one observer listens, whatever it reads. */
  get active(): boolean {
    return this.#subscriptions.length > 0;
  }

  /** True when some observer reads events of `type`: callers build one only then. */
  wants(type: NodeEventType): boolean {
    return this.#wanted[type] > 0;
  }

  /** Subscribes `observer` to `types` (every type when absent); returns the unsubscribe. */
  subscribe(observer: Observer, types?: readonly NodeEventType[]): () => void {
    if (this.#closed) return () => {};
    const subscription: Subscription = {
      observer,
      types: types === undefined ? undefined : new Set(types),
    };
    this.#count(subscription, 1);
    this.#subscriptions = [...this.#subscriptions, subscription];
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const before = this.#subscriptions.length;
      this.#subscriptions = this.#subscriptions.filter((s) => s !== subscription);
      if (this.#subscriptions.length < before) this.#count(subscription, -1);
    };
  }

  /** Lets every observer go; nothing is emitted or subscribed after (the node has stopped). */
  close(): void {
    this.#closed = true;
    if (this.#subscriptions.length > 0) this.#wanted = { ...NONE_WANTED };
    this.#subscriptions = [];
  }

  emit(event: NodeEvent): void {
    for (const { observer, types } of this.#subscriptions) {
      if (types !== undefined && !types.has(event.type)) continue;
      try {
        observer(event);
      } catch (error) {
        this.#onError(error);
      }
    }
  }

  #count(subscription: Subscription, by: 1 | -1): void {
    const wanted = this.#wanted;
    for (const type of subscription.types ?? ALL_TYPES) wanted[type] += by;
  }
}
