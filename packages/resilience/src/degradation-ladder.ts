import type { Clock } from '@warden/core';
import { type DegradationLadderOptions, LADDER_DEFAULTS } from './degradation-ladder-options.js';
import { ResilienceError } from './errors.js';
import { describeError, Emitter } from './events.js';
import { abortedError } from './internal/abort.js';
import {
  checkClock,
  checkFunction,
  checkInt,
  checkRecord,
  checkSignal,
  invalidOption,
} from './internal/check.js';
import { deferred } from './internal/deferred.js';
import { type Held, LadderQueue } from './internal/ladder-queue.js';
import { LevelAnswer, serveLevels } from './internal/serve-levels.js';
import { type Level, validateLevels } from './ladder-level.js';
import { isAvailable, type Unsubscribe, unsubscribe } from './level-health.js';
import type { ExecuteOptions } from './policy.js';
import { checkQueueStore } from './queue-store.js';
import type { Answer, Served } from './served.js';

export {
  type DegradationLadderOptions,
  LADDER_DEFAULTS,
} from './degradation-ladder-options.js';
export type { Level } from './ladder-level.js';
export type { Answer, Replayed, Served } from './served.js';

/**
 * An explicit degradation ladder: primary, fallback, cache, static answer, queue for later. The
 * first level whose breaker is not open serves; a level that throws passes the request down to
 * the next available one. The current level is observable (`level`, `onLevelChange`) and every
 * change is a `degrade.level_changed` event.
 *
 * Nothing accepted is lost: a request accepted at the queue level is held (bounded: when the
 * queue is full the caller gets `ERR_DEGRADED` at once) and replayed, in order, through the
 * levels above the queue as soon as one of them recovers. While the queue holds requests, new
 * ones queue behind them, so order is kept across the outage. A request whose replay fails on
 * every level `maxReplays` times is handed back to its caller (its `result` rejects).
 *
 * With a `store`, nothing accepted is lost to a restart either: a request is in the store before
 * its caller hears it is queued, and the next ladder on the store takes the queue over with
 * `restore()`, replaying it in the same order to `onReplayed`.
 *
 * @example
 * const ladder = new DegradationLadder({ clock, levels: [
 *   { name: 'primary', health: breaker, serve: (q, { signal }) => model.answer(q, signal) },
 *   { name: 'cache', serve: (q) => cache.lookup(q) },
 *   { name: 'later', queue: true },
 * ] });
 */
export class DegradationLadder<Req, Res> {
  readonly queueCapacity: number;
  readonly maxReplays: number;
  readonly #clock: Clock;
  readonly #emitter: Emitter;
  readonly #levels: readonly Level<Req, Res>[];
  readonly #queueLevel: string | undefined;
  readonly #queue: LadderQueue<Req, Res>;
  readonly #durable: boolean;
  readonly #onReplayed: DegradationLadderOptions<Req, Res>['onReplayed'];
  readonly #subscriptions: Unsubscribe[] = [];
  readonly #listeners = new Set<(to: string | undefined, from: string | undefined) => void>();
  readonly #closing = new AbortController();
  #current: string | undefined;
  #draining = false;

  constructor(options: DegradationLadderOptions<Req, Res>) {
    this.#clock = checkClock('clock', options?.clock);
    this.#levels = validateLevels(options.levels);
    const last = this.#levels[this.#levels.length - 1] as Level<Req, Res>;
    this.#queueLevel = 'queue' in last ? last.name : undefined;
    this.queueCapacity = checkInt(
      'queueCapacity',
      options.queueCapacity ?? LADDER_DEFAULTS.queueCapacity,
      1,
    );
    this.maxReplays = checkInt('maxReplays', options.maxReplays ?? LADDER_DEFAULTS.maxReplays, 1);
    this.#emitter = new Emitter(options, this.#clock, 'degradation-ladder');
    const store = options.store === undefined ? undefined : checkQueueStore(options.store);
    if (store !== undefined && this.#queueLevel === undefined)
      throw invalidOption('store', store, 'no store: the ladder has no queue level to keep');
    if (store !== undefined || options.onReplayed !== undefined)
      this.#onReplayed = checkFunction('onReplayed', options.onReplayed);
    this.#durable = store !== undefined;
    this.#queue = new LadderQueue(store, this.queueCapacity, this.#clock, this.#emitter);
    const stop = checkSignal('signal', options.signal);
    this.#current = this.#compute();
    if (stop?.aborted === true) {
      this.close();
      return;
    }
    for (const level of this.#levels) {
      if ('health' in level && level.health !== undefined) {
        this.#subscriptions.push(level.health.onStateChange(() => this.#healthChanged()));
      }
    }
    if (stop !== undefined) {
      const onStop = () => this.close();
      stop.addEventListener('abort', onStop, { once: true });
      this.#subscriptions.push(() => stop.removeEventListener('abort', onStop));
    }
  }

  /** The level that serves now (undefined when none can). */
  get level(): string | undefined {
    return this.#current;
  }

  /** Requests waiting at the queue level (with a store: also the restored ones not loaded yet). */
  get queued(): number {
    return this.#queue.size;
  }

  /** Calls `listener(to, from)` on every change of level; returns the unsubscribe function. */
  onLevelChange(listener: (to: string | undefined, from: string | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async execute(request: Req, options: ExecuteOptions = {}): Promise<Served<Res>> {
    if (options !== undefined) checkRecord('options', options);
    const signal = checkSignal('signal', options.signal) ?? this.#closing.signal;
    if (this.#closing.signal.aborted)
      throw new ResilienceError('ERR_CLOSED', 'degradation ladder closed');
    if (this.#queue.size > 0) return this.#enqueue(request);
    const served = await serveLevels(this.#levels, request, signal, this.#emitter);
    if (served instanceof LevelAnswer)
      return { queued: false, level: served.level, value: served.value };
    const error = served.error;
    if (signal.aborted) throw abortedError(signal);
    if (this.#queueLevel !== undefined) return this.#enqueue(request);
    throw new ResilienceError('ERR_DEGRADED', `no level could serve: ${describeError(error)}`, {
      cause: error,
    });
  }

  /**
   * Takes over the requests the store holds (a previous ladder's, before a restart), oldest
   * first, and replays them like any queued request once a level above recovers; their outcomes
   * go to `onReplayed`. Until it has resolved, the queue level refuses new requests
   * (`ERR_DEGRADED`): they would overtake the restored ones. Loads up to `queueCapacity`; the
   * rest stay in the store and are loaded when those are done, new requests being refused
   * meanwhile. Resolves with the number of requests taken over. Once: later calls share the
   * result; a store that fails (`ERR_STORE_FAILED`) may be tried again.
   */
  async restore(): Promise<number> {
    if (!this.#durable) throw invalidOption('store', undefined, 'a QueueStore, to restore from');
    if (this.#closing.signal.aborted)
      throw new ResilienceError('ERR_CLOSED', 'degradation ladder closed');
    const count = await this.#queue.restore();
    if (this.#closing.signal.aborted) {
      this.#queue.takeAll(); // still in the store, for the next ladder
      throw new ResilienceError('ERR_CLOSED', 'degradation ladder closed');
    }
    void this.#drain();
    return count;
  }

  /**
   * Unsubscribes from every health and hands queued requests back (`ERR_CLOSED`). With a store,
   * they stay in it (writes already begun still finish): the next ladder on it replays them.
   */
  close(): void {
    this.#closing.abort(new ResilienceError('ERR_CLOSED', 'degradation ladder closed'));
    for (const s of this.#subscriptions.splice(0)) unsubscribe(s);
    const message = this.#durable
      ? 'degradation ladder closed; the request stays in its store for the next ladder'
      : 'degradation ladder closed';
    for (const held of this.#queue.takeAll())
      held.caller?.reject(new ResilienceError('ERR_CLOSED', message));
  }

  /** Queues a request; with a store, the caller hears "queued" only once the store holds it. */
  #enqueue(request: Req): Served<Res> | Promise<Served<Res>> {
    const level = this.#queueLevel as string;
    const refusal = this.#queue.refusal();
    if (refusal !== undefined) {
      this.#emitter.emit({ type: 'degrade.rejected', depth: this.#queue.size });
      throw new ResilienceError('ERR_DEGRADED', `queue level ${level} ${refusal}`);
    }
    // a caller may drop the ticket: handled, so never an unhandled rejection
    const { promise: result, resolve, reject } = deferred<Answer<Res>>(true);
    const held = this.#queue.add(request, { resolve, reject });
    const { id, key } = held;
    const ticket: Served<Res> =
      key === undefined
        ? { queued: true, level, id, result }
        : { queued: true, level, id, key, result };
    if (held.stored === undefined) {
      this.#emitter.emit({ type: 'degrade.queued', id, depth: this.#queue.size });
      void this.#drain();
      return ticket;
    }
    const answer = held.stored.then((failure) => {
      if (failure !== undefined) {
        throw new ResilienceError(
          'ERR_STORE_FAILED',
          `queue level ${level} could not store the request: ${describeError(failure.error)}`,
          { cause: failure.error },
        );
      }
      this.#emitter.emit({ type: 'degrade.queued', id, depth: this.#queue.size });
      return ticket;
    });
    void this.#drain(); // after the line above: the caller hears "queued" before any replay
    return answer;
  }

  /** Replays queued requests in order while a level above the queue is available. */
  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#queue.size > 0 && this.#canReplay() && !this.#closing.signal.aborted) {
        const head = this.#queue.head;
        if (head === undefined) {
          if (!(await this.#queue.loadBacklog())) return; // the next recovery tries again
          continue;
        }
        if (head.stored !== undefined) {
          await head.stored; // a request the store refused has left the queue
          continue;
        }
        const served = await serveLevels(
          this.#levels,
          head.request,
          this.#closing.signal,
          this.#emitter,
        );
        if (this.#closing.signal.aborted) return; // a store keeps it for the next ladder
        if (served instanceof LevelAnswer) {
          const answer: Answer<Res> = { level: served.level, value: served.value };
          this.#queue.shift(head);
          this.#emitter.emit({ type: 'degrade.replayed', id: head.id, level: answer.level });
          await this.#settle(head, { ok: true, answer });
          continue;
        }
        const error = served.error;
        head.replays++;
        if (head.replays < this.maxReplays) {
          this.#queue.counted(head);
          return; // wait for the next recovery
        }
        this.#queue.shift(head);
        this.#emitter.emit({ type: 'degrade.handed_back', id: head.id, replays: head.replays });
        const failure = new ResilienceError(
          'ERR_DEGRADED',
          `replay failed ${head.replays} times: ${describeError(error)}`,
          { cause: error },
        );
        await this.#settle(head, { ok: false, error: failure });
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Gives a replay's outcome to its caller, or to `onReplayed`; then the store forgets it. */
  async #settle(
    held: Held<Req, Res>,
    outcome: { ok: true; answer: Answer<Res> } | { ok: false; error: ResilienceError },
  ): Promise<void> {
    if (held.caller !== undefined) {
      if (outcome.ok) held.caller.resolve(outcome.answer);
      else held.caller.reject(outcome.error);
    } else {
      const { key, request, at, replays } = held;
      try {
        await this.#onReplayed?.({ id: key as string, request, at, replays, ...outcome });
      } catch (error) {
        setImmediate(() => {
          throw error;
        });
      }
    }
    this.#queue.forget(held);
  }

  #canReplay(): boolean {
    return this.#current !== this.#queueLevel && this.#current !== undefined;
  }

  #compute(): string | undefined {
    for (const level of this.#levels) {
      if ('queue' in level) return level.name;
      if (isAvailable(level.health)) return level.name;
    }
    return undefined;
  }

  #healthChanged(): void {
    if (this.#closing.signal.aborted) return;
    const from = this.#current;
    const to = this.#compute();
    if (to !== from) {
      this.#current = to;
      this.#emitter.emit({ type: 'degrade.level_changed', from, to });
      for (const listener of [...this.#listeners]) {
        try {
          listener(to, from);
        } catch (error) {
          setImmediate(() => {
            throw error;
          });
        }
      }
    }
    if (this.#queue.size > 0) void this.#drain();
  }
}
