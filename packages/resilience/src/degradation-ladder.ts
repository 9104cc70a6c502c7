import type { Clock } from '@warden/core';
import { ResilienceError } from './errors.js';
import { describeError, Emitter, type Observed } from './events.js';
import { abortedError } from './internal/abort.js';
import { checkClock, checkInt, checkRecord, checkSignal } from './internal/check.js';
import { deferred } from './internal/deferred.js';
import { type Level, validateLevels } from './ladder-level.js';
import { isAvailable, type Unsubscribe, unsubscribe } from './level-health.js';
import type { ExecuteOptions, PolicyContext } from './policy.js';

export type { Level } from './ladder-level.js';

export interface DegradationLadderOptions<Req, Res> extends Observed {
  readonly clock: Clock;
  /** Best first. At most one queue level, and it comes last. */
  readonly levels: readonly Level<Req, Res>[];
  /** Requests the queue level holds; beyond it, `ERR_DEGRADED`. Default 100. */
  readonly queueCapacity?: number;
  /** Replays of one queued request before its `result` rejects with `ERR_DEGRADED`. Default 3. */
  readonly maxReplays?: number;
  /**
   * The ladder closes when this aborts (pass `node.signal`): it stops following its levels'
   * health, so a stopped node sees no level change and no event from it.
   */
  readonly signal?: AbortSignal;
}

export const LADDER_DEFAULTS = Object.freeze({ queueCapacity: 100, maxReplays: 3 });

/** A request answered by `level`. */
export interface Answer<Res> {
  readonly level: string;
  readonly value: Res;
}

/** What `execute` returns: an answer now, or a ticket for an answer after a replay. */
export type Served<Res> =
  | ({ readonly queued: false } & Answer<Res>)
  | {
      readonly queued: true;
      readonly level: string;
      readonly id: number;
      /** Settles with the replay's answer, in queue order. */
      readonly result: Promise<Answer<Res>>;
    };

/** A level's answer inside the ladder (a class: told apart from a failure by `instanceof`). */
class LevelAnswer<Res> {
  constructor(
    readonly level: string,
    readonly value: Res,
  ) {}
}

interface Queued<Req, Res> {
  readonly id: number;
  readonly request: Req;
  readonly resolve: (answer: Answer<Res>) => void;
  readonly reject: (error: unknown) => void;
  replays: number;
}

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
  readonly #queue: Queued<Req, Res>[] = [];
  readonly #subscriptions: Unsubscribe[] = [];
  readonly #listeners = new Set<(to: string | undefined, from: string | undefined) => void>();
  readonly #closing = new AbortController();
  #current: string | undefined;
  #draining = false;
  #nextId = 1;

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

  /** Requests waiting at the queue level. */
  get queued(): number {
    return this.#queue.length;
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
    if (this.#queue.length > 0) return this.#enqueue(request);
    const served = await this.#serve(request, signal);
    if (served instanceof LevelAnswer)
      return { queued: false, level: served.level, value: served.value };
    const error = served.error;
    if (signal.aborted) throw abortedError(signal);
    if (this.#queueLevel !== undefined) return this.#enqueue(request);
    throw new ResilienceError('ERR_DEGRADED', `no level could serve: ${describeError(error)}`, {
      cause: error,
    });
  }

  /** Unsubscribes from every health and hands queued requests back (`ERR_CLOSED`). */
  close(): void {
    this.#closing.abort(new ResilienceError('ERR_CLOSED', 'degradation ladder closed'));
    for (const s of this.#subscriptions.splice(0)) unsubscribe(s);
    for (const q of this.#queue.splice(0))
      q.reject(new ResilienceError('ERR_CLOSED', 'degradation ladder closed'));
  }

  /**
   * Tries the serving levels from the best available down; the first answer wins. Built for the
   * path every call takes while the best level is healthy: no error, closure or extra promise is
   * made before a level fails (a level's synchronous throw is caught here as a rejection would be).
   */
  async #serve(request: Req, signal: AbortSignal): Promise<LevelAnswer<Res> | { error: unknown }> {
    let context: PolicyContext | undefined;
    let tried = false;
    let error: unknown;
    for (const level of this.#levels) {
      if (!('serve' in level) || !isAvailable(level.health)) continue;
      tried = true;
      try {
        context ??= { signal };
        return new LevelAnswer(level.name, await level.serve(request, context));
      } catch (e) {
        error = e;
        if (signal.aborted) return { error };
        this.#emitter.emit({
          type: 'degrade.fell_through',
          from: level.name,
          error: describeError(e),
        });
      }
    }
    if (!tried) error = new ResilienceError('ERR_DEGRADED', 'every level is unavailable');
    return { error };
  }

  #enqueue(request: Req): Served<Res> {
    const level = this.#queueLevel as string;
    if (this.#queue.length >= this.queueCapacity) {
      this.#emitter.emit({ type: 'degrade.rejected', depth: this.#queue.length });
      throw new ResilienceError(
        'ERR_DEGRADED',
        `queue level ${level} is full (${this.queueCapacity})`,
      );
    }
    const id = this.#nextId++;
    // a caller may drop the ticket: handled, so never an unhandled rejection
    const { promise: result, resolve, reject } = deferred<Answer<Res>>(true);
    this.#queue.push({ id, request, resolve, reject, replays: 0 });
    this.#emitter.emit({ type: 'degrade.queued', id, depth: this.#queue.length });
    void this.#drain();
    return { queued: true, level, id, result };
  }

  /** Replays queued requests in order while a level above the queue is available. */
  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (
        this.#queue.length > 0 &&
        this.#current !== this.#queueLevel &&
        this.#current !== undefined
      ) {
        const head = this.#queue[0] as Queued<Req, Res>;
        const served = await this.#serve(head.request, this.#closing.signal);
        if (this.#closing.signal.aborted) return;
        if (served instanceof LevelAnswer) {
          const answer: Answer<Res> = { level: served.level, value: served.value };
          this.#queue.shift();
          this.#emitter.emit({ type: 'degrade.replayed', id: head.id, level: answer.level });
          head.resolve(answer);
          continue;
        }
        const error = served.error;
        head.replays++;
        if (head.replays < this.maxReplays) return; // wait for the next recovery
        this.#queue.shift();
        this.#emitter.emit({ type: 'degrade.handed_back', id: head.id, replays: head.replays });
        head.reject(
          new ResilienceError(
            'ERR_DEGRADED',
            `replay failed ${head.replays} times: ${describeError(error)}`,
            { cause: error },
          ),
        );
      }
    } finally {
      this.#draining = false;
    }
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
    if (this.#queue.length > 0) void this.#drain();
  }
}
