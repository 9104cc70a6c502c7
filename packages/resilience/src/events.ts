import type { Pid } from '@warden/core';
import { invalidOption } from './internal/check.js';

/**
 * Every decision a resilience piece makes (retry, shed, deny, trip, degrade, ...) as data. The
 * shape is the one of core's `NodeEvent`: a dotted lowercase `type`, the clock's `time` in
 * milliseconds, then the facts; so a node's dashboards and traces can take both streams, and a
 * node can forward these beside its own. `source` is the `name` option of the piece that decided.
 */
export type ResilienceEvent =
  | {
      type: 'retry.scheduled';
      time: number;
      source: string;
      attempt: number;
      delayMs: number;
      error: string;
    }
  | {
      type: 'retry.gave_up';
      time: number;
      source: string;
      attempts: number;
      reason: 'permanent' | 'attempts' | 'deadline' | 'budget' | 'aborted';
      error: string;
    }
  | {
      type: 'retry.budget_denied';
      time: number;
      source: string;
      deposits: number;
      withdrawals: number;
    }
  | { type: 'timeout.fired'; time: number; source: string; timeoutMs: number }
  | { type: 'bulkhead.rejected'; time: number; source: string; running: number; queued: number }
  | { type: 'ratelimit.rejected'; time: number; source: string; waitMs: number }
  | {
      type: 'lock.granted';
      time: number;
      source: string;
      owner: string;
      resource: string;
      token: number;
    }
  | {
      type: 'lock.released';
      time: number;
      source: string;
      owner: string;
      resource: string;
      token: number;
      cause: 'release' | 'owner_exit';
    }
  | {
      type: 'lock.denied';
      time: number;
      source: string;
      owner: string;
      resources: readonly string[];
      reason: 'timeout' | 'deadlock' | 'aborted';
      cycle?: readonly string[];
    }
  | {
      type: 'lock.fenced';
      time: number;
      source: string;
      resource: string;
      token: number;
      current: number | undefined;
    }
  | { type: 'spawn.started'; time: number; source: string; key: string; taskType: string; pid: Pid }
  | { type: 'spawn.joined'; time: number; source: string; key: string; pid: Pid }
  | { type: 'spawn.queued'; time: number; source: string; key: string; running: Pid }
  | { type: 'spawn.replaced'; time: number; source: string; key: string; previous: Pid }
  | {
      type: 'spawn.rejected';
      time: number;
      source: string;
      key: string;
      taskType: string;
      reason: 'running' | 'ceiling' | 'failed';
    }
  | { type: 'spawn.ended'; time: number; source: string; key: string; pid: Pid }
  | { type: 'watchdog.watching'; time: number; source: string; pid: Pid; timeoutMs: number }
  | { type: 'watchdog.silent'; time: number; source: string; pid: Pid; silentMs: number }
  | { type: 'watchdog.killed'; time: number; source: string; pid: Pid; graceMs: number }
  | {
      type: 'degrade.level_changed';
      time: number;
      source: string;
      from: string | undefined;
      to: string | undefined;
    }
  | { type: 'degrade.fell_through'; time: number; source: string; from: string; error: string }
  | { type: 'degrade.queued'; time: number; source: string; id: number; depth: number }
  | { type: 'degrade.replayed'; time: number; source: string; id: number; level: string }
  | { type: 'degrade.rejected'; time: number; source: string; depth: number }
  | { type: 'degrade.handed_back'; time: number; source: string; id: number; replays: number }
  | { type: 'degrade.restored'; time: number; source: string; loaded: number; backlog: number }
  | {
      type: 'degrade.store_failed';
      time: number;
      source: string;
      op: 'put' | 'delete' | 'list';
      /** The request's id in the store (none for `list`). */
      key: string | undefined;
      error: string;
    }
  | {
      type: 'flag.changed';
      time: number;
      source: string;
      flag: string;
      enabled: boolean;
      reason: string | undefined;
    }
  | { type: 'flag.denied'; time: number; source: string; flag: string }
  | {
      type: 'deadletter.recorded';
      time: number;
      source: string;
      id: string;
      traceId: string;
      reason: string;
    }
  | { type: 'deadletter.replayed'; time: number; source: string; id: string; ok: boolean }
  | {
      type: 'deadletter.skipped';
      time: number;
      source: string;
      id: string;
      reason: 'purged' | 'in_flight';
    }
  | { type: 'deadletter.purged'; time: number; source: string; ids: readonly string[] }
  | { type: 'deadletter.overflow'; time: number; source: string; dropped: string };

export type ResilienceEventType = ResilienceEvent['type'];

/** Receives the events of one piece. An observer that throws cannot hurt the piece. */
export type ResilienceObserver = (event: ResilienceEvent) => void;

/** The `observer` and `name` options every piece takes. */
export interface Observed {
  /** Receives every decision the piece makes. */
  readonly observer?: ResilienceObserver;
  /** Names the piece in its events (`source`). Default: the kind of piece. */
  readonly name?: string;
}

/** An event without the `time` and `source` that its piece's `Emitter` stamps on it. */
export type EventBody = ResilienceEvent extends infer E
  ? E extends ResilienceEvent
    ? Omit<E, 'time' | 'source'>
    : never
  : never;

/**
 * A piece's voice: stamps `time` (the piece's clock) and `source` (its `name`) on each event and
 * hands it to the observer. Without an observer, `active` is false and callers skip building
 * events at all.
 */
export class Emitter {
  readonly source: string;
  readonly #observer: ResilienceObserver | undefined;
  readonly #clock: { now(): number };

  /** Validates the `observer` and `name` options (every piece takes them). */
  constructor(options: Observed | undefined, clock: { now(): number }, kind: string) {
    const observer = options?.observer;
    if (observer !== undefined && typeof observer !== 'function') {
      throw invalidOption('observer', observer, 'a function');
    }
    const name = options?.name;
    if (name !== undefined && (typeof name !== 'string' || name.length === 0)) {
      throw invalidOption('name', name, 'a non-empty string');
    }
    this.#observer = observer;
    this.#clock = clock;
    this.source = options?.name ?? kind;
  }

  get active(): boolean {
    return this.#observer !== undefined;
  }

  emit(body: EventBody): void {
    if (this.#observer === undefined) return;
    notify(this.#observer, {
      ...body,
      time: this.#clock.now(),
      source: this.source,
    } as ResilienceEvent);
  }
}

/**
 * Hands an event to an observer. An observer that throws is re-thrown in a new macrotask (as
 * XState does), so it is reported yet can never corrupt the piece that was deciding.
 */
export function notify(observer: ResilienceObserver | undefined, event: ResilienceEvent): void {
  if (observer === undefined) return;
  try {
    observer(event);
  } catch (error) {
    setImmediate(() => {
      throw error;
    });
  }
}

/** A short description of a thrown value, for events (never the value itself: it may be large). */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string'
      ? `${code}: ${error.message}`
      : `${error.name}: ${error.message}`;
  }
  return String(error);
}
