import { randomUUID } from 'node:crypto';
import type { Clock } from '@warden/core';
import { type DeadLetterFilter, matcher } from './dead-letter-filter.js';
import {
  checkStore,
  type DeadLetterEntry,
  type DeadLetterStore,
  MemoryDeadLetterStore,
} from './dead-letter-store.js';
import { ResilienceError } from './errors.js';
import { Emitter, type Observed } from './events.js';
import { invoke } from './internal/abort.js';
import {
  checkClock,
  checkFunction,
  checkInt,
  checkName,
  checkOneOf,
  checkRecord,
  checkSignal,
  invalidOption,
} from './internal/check.js';
import { createEntry, withFailedReplay } from './internal/dead-letter-entry.js';

/** What the handler receives beside its input. */
export interface DeadLetterContext {
  readonly signal: AbortSignal;
  readonly traceId: string;
}

export interface DeadLetterQueueOptions<I, R> extends Observed {
  readonly clock: Clock;
  /** The path work takes, first time and on replay (wrap your retry policy inside it). */
  readonly handler?: (input: I, context: DeadLetterContext) => PromiseLike<R> | R;
  /** Entries kept at most. Default 1000. */
  readonly capacity?: number;
  /** When full: drop the oldest entry (default) or the new one. Either way it is counted. */
  readonly overflow?: 'drop-oldest' | 'drop-newest';
  /** Default: an in-memory store. */
  readonly store?: DeadLetterStore<I>;
}

export const DEAD_LETTER_DEFAULTS = Object.freeze({
  capacity: 1000,
  overflow: 'drop-oldest' as const,
});

export interface RecordInput<I> {
  readonly input: I;
  readonly error: unknown;
  /** Default: the error's `attempts` (set by `retry`), else 1. */
  readonly attempts?: number;
  readonly traceId?: string;
}

export interface ReplayReport {
  readonly replayed: readonly string[];
  readonly failed: readonly string[];
  /** Selected, but purged before their turn or already being replayed by another call: not run. */
  readonly skipped: readonly string[];
}

/** The queue's ledger totals. Overflow is counted, never silent. */
export interface DeadLetterStats {
  recorded: number;
  replayed: number;
  replayFailed: number;
  purged: number;
  overflowed: number;
}

const NEVER = new AbortController().signal;

/**
 * A dead-letter queue and recovery ledger: work that failed after its retries is recorded with
 * its reason, input, attempts and trace id, so that failed work never just disappears. List and
 * inspect it, replay it through the same handler (one entry, or a filter), purge it.
 *
 * Bounded: at most `capacity` entries; past it the oldest (or the newest) is dropped, counted in
 * `stats.overflowed` and announced as `deadletter.overflow`. A replay that succeeds removes the
 * entry; one that fails keeps it, with one more attempt and a line in its history. Store
 * operations are serialised, so concurrent records never overrun the bound.
 *
 * @example
 * const dlq = new DeadLetterQueue({ clock, handler: (job, { signal }) => policy.execute(() => send(job, signal)) });
 * await dlq.run(job).catch(() => {}); // failed: it is in the queue now
 * await dlq.replay({ code: 'ERR_RETRIES_EXHAUSTED' });
 */
export class DeadLetterQueue<I = unknown, R = unknown> {
  readonly capacity: number;
  readonly overflow: 'drop-oldest' | 'drop-newest';
  readonly stats: Readonly<DeadLetterStats>;
  readonly #stats: DeadLetterStats = {
    recorded: 0,
    replayed: 0,
    replayFailed: 0,
    purged: 0,
    overflowed: 0,
  };
  readonly #clock: Clock;
  readonly #store: DeadLetterStore<I>;
  readonly #options: DeadLetterQueueOptions<I, R>;
  readonly #emitter: Emitter;
  readonly #prefix = randomUUID().slice(0, 8);
  #next = 1;
  #lock: Promise<unknown> = Promise.resolve();
  /** Ids being replayed now: a second replay of one of them skips it (never twice at once). */
  readonly #inFlight = new Set<string>();

  constructor(options: DeadLetterQueueOptions<I, R>) {
    this.#clock = checkClock('clock', options?.clock);
    if (options.handler !== undefined) checkFunction('handler', options.handler);
    this.capacity = checkInt('capacity', options.capacity ?? DEAD_LETTER_DEFAULTS.capacity, 1);
    this.overflow = checkOneOf('overflow', options.overflow ?? DEAD_LETTER_DEFAULTS.overflow, [
      'drop-oldest',
      'drop-newest',
    ]);
    this.#store =
      options.store === undefined ? new MemoryDeadLetterStore<I>() : checkStore(options.store);
    this.#options = options;
    this.#emitter = new Emitter(options, this.#clock, 'dead-letters');
    this.stats = this.#stats;
  }

  /** Runs the handler; if it fails, records the input and rethrows the failure. */
  async run(
    input: I,
    options: { readonly traceId?: string; readonly signal?: AbortSignal } = {},
  ): Promise<R> {
    const handler = this.#handler();
    const traceId =
      options.traceId === undefined ? randomUUID() : checkName('traceId', options.traceId);
    checkSignal('signal', options.signal);
    try {
      return await invoke((ctx: DeadLetterContext) => handler(input, ctx), {
        signal: options.signal ?? NEVER,
        traceId,
      });
    } catch (error) {
      await this.record({ input, error, traceId });
      throw error;
    }
  }

  /** Records failed work; resolves with the entry (also when the bound dropped it at once). */
  record(failure: RecordInput<I>): Promise<DeadLetterEntry<I>> {
    try {
      checkRecord('failure', failure);
      if (failure.attempts !== undefined) checkInt('attempts', failure.attempts, 1);
      if (failure.traceId !== undefined) checkName('traceId', failure.traceId);
    } catch (error) {
      return Promise.reject(error);
    }
    const entry = createEntry(failure, this.#clock, () => `${this.#prefix}-${this.#next++}`);
    return this.#serial(async () => {
      if ((await this.#store.size()) >= this.capacity) {
        if (this.overflow === 'drop-newest') {
          this.#overflowed(entry.id);
          return entry;
        }
        const oldest = (await this.#store.list())[0];
        if (oldest !== undefined) {
          await this.#store.delete(oldest.id);
          this.#overflowed(oldest.id);
        }
      }
      await this.#store.put(entry);
      this.#stats.recorded++;
      this.#emitter.emit({
        type: 'deadletter.recorded',
        id: entry.id,
        traceId: entry.traceId,
        reason: entry.reason,
      });
      return entry;
    });
  }

  /** Entries, oldest first, optionally filtered. */
  async list(filter?: DeadLetterFilter<I>): Promise<DeadLetterEntry<I>[]> {
    const match = filter === undefined ? undefined : matcher(filter);
    const all = await this.#serial(() => this.#store.list());
    return match === undefined ? all : all.filter(match);
  }

  /** One entry; `ERR_NOT_FOUND` if there is none with that id. */
  async inspect(id: string): Promise<DeadLetterEntry<I>> {
    const entry = await this.#serial(() => this.#store.get(id));
    if (entry === undefined) throw new ResilienceError('ERR_NOT_FOUND', `no dead letter ${id}`);
    return entry;
  }

  /**
   * Replays one entry (by id) or every entry a filter selects, oldest first, one at a time,
   * through the handler. Success removes the entry; failure keeps it with its history.
   */
  async replay(
    target: string | DeadLetterFilter<I>,
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<ReplayReport> {
    const handler = this.#handler();
    checkSignal('signal', options.signal);
    const entries =
      typeof target === 'string' ? [await this.inspect(target)] : await this.list(target);
    const replayed: string[] = [];
    const failed: string[] = [];
    const skipped: string[] = [];
    for (const selected of entries) {
      if (options.signal?.aborted === true) break;
      // Look again: a purge (or another replay) may have got there first. Purged work never runs.
      const entry = await this.#serial(() => this.#store.get(selected.id));
      if (entry === undefined || this.#inFlight.has(entry.id)) {
        skipped.push(selected.id);
        const reason = entry === undefined ? 'purged' : 'in_flight';
        this.#emitter.emit({ type: 'deadletter.skipped', id: selected.id, reason });
        continue;
      }
      this.#inFlight.add(entry.id);
      const context = { signal: options.signal ?? NEVER, traceId: entry.traceId };
      try {
        await invoke((ctx: DeadLetterContext) => handler(entry.input, ctx), context);
        await this.#serial(() => this.#store.delete(entry.id));
        this.#stats.replayed++;
        replayed.push(entry.id);
        this.#emitter.emit({ type: 'deadletter.replayed', id: entry.id, ok: true });
      } catch (error) {
        await this.#serial(async () => {
          const current = await this.#store.get(entry.id);
          if (current === undefined) return; // purged meanwhile
          await this.#store.put(withFailedReplay(current, error, this.#clock));
        });
        this.#stats.replayFailed++;
        failed.push(entry.id);
        this.#emitter.emit({ type: 'deadletter.replayed', id: entry.id, ok: false });
      } finally {
        this.#inFlight.delete(entry.id);
      }
    }
    return { replayed, failed, skipped };
  }

  /** Removes the entries a filter selects (all without one); resolves with their count. */
  purge(filter?: DeadLetterFilter<I>): Promise<number> {
    let match: ((entry: DeadLetterEntry<I>) => boolean) | undefined;
    try {
      match = filter === undefined ? undefined : matcher(filter);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#serial(async () => {
      const all = await this.#store.list();
      const ids = (match === undefined ? all : all.filter(match)).map((e) => e.id);
      for (const id of ids) await this.#store.delete(id);
      this.#stats.purged += ids.length;
      if (ids.length > 0) this.#emitter.emit({ type: 'deadletter.purged', ids });
      return ids.length;
    });
  }

  #handler(): NonNullable<DeadLetterQueueOptions<I, R>['handler']> {
    const handler = this.#options.handler;
    if (handler === undefined)
      throw invalidOption('handler', handler, 'a handler, to run or replay work');
    return handler;
  }

  /** Runs store operations one after the other. */
  #serial<T>(op: () => Promise<T> | T): Promise<T> {
    const result = this.#lock.then(op);
    this.#lock = result.catch(() => {});
    return result;
  }

  #overflowed(id: string): void {
    this.#stats.overflowed++;
    this.#emitter.emit({ type: 'deadletter.overflow', dropped: id });
  }
}
