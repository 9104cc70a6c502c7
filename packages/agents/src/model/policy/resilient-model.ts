import { type Clock, type Node, type TimerHandle, WardenError } from '@warden/core';
import { type DegradationLadder, isResilienceError, type Served } from '@warden/resilience';
import { ModelCallError } from '../model-call-error.js';
import type { ModelClient } from '../model-client.js';
import type { ModelRequest } from '../model-request.js';
import type { ModelResponse } from '../model-response.js';
import type { StreamEvent } from '../stream-event.js';
import { MODEL_POLICY_DEFAULTS } from './failure-handling.js';
import type { LadderEntry, LadderResult } from './ladder-entry.js';
import { isAbort, toModelCallError } from './model-failure.js';
import { createModelLadder } from './model-ladder.js';
import { ModelPolicy, modelPolicyOf } from './model-policy.js';
import { discardStream } from './open-stream.js';
import { checkClock, checkInt, checkName, checkNumber, invalidOption } from './option-checks.js';
import { ResponseCache } from './response-cache.js';
import { ResponseCollector, streamOf } from './response-stream.js';
import type { StaticAnswer } from './static-answer.js';

export interface ResilientModelOptions {
  /** The node whose clock, event stream and shared policy the model uses. */
  readonly node?: Pick<Node, 'clock' | 'publish'>;
  /** Without a node: the clock (and a policy of its own, unless `policy` is given). */
  readonly clock?: Clock;
  /** Default: the node's shared policy (`modelPolicyOf(node)`). */
  readonly policy?: ModelPolicy;
  readonly primary: ModelClient;
  /** Tried in order when the primary cannot serve. */
  readonly fallbacks?: readonly ModelClient[];
  /** Earlier answers; default a `ResponseCache` with the defaults; `false`: no cache rung. */
  readonly cache?: ResponseCache | false;
  /** Default: no static rung. */
  readonly staticAnswer?: StaticAnswer;
  /** The queue rung; `false`: none (a call nothing can serve fails at once). */
  readonly queue?: false | { readonly capacity?: number; readonly deadlineMs?: number };
  /** Names the ladder in events. Default `model:<provider>/<model>`. */
  readonly name?: string;
}

/** A `ModelClient` whose every call goes through the node's policy and the degradation ladder. */
export interface ResilientModel extends ModelClient {
  /** The rung that serves now: `primary`, `fallback-N`, `cache`, `static` or `queue`. */
  readonly level: string | undefined;
  /** Calls waiting in the queue for the models to recover. */
  readonly queued: number;
  readonly policy: ModelPolicy;
  onLevelChange(listener: (to: string | undefined, from: string | undefined) => void): () => void;
  /** Hands every queued call back to its caller (`unknown`, code `closed`). */
  close(): void;
}

/**
 * Wraps a model so that the agent runtime just calls `generate` / `stream`: retries, rate
 * limits, breakers, fallbacks, the cache, the static answer and the queue all happen below.
 * Every call ends with an answer or a `ModelCallError` (a caller's abort: core's `ERR_ABORTED`).
 *
 * A queued call waits at most `queue.deadlineMs` (default 30 min) for its replay; past it, it
 * fails with `timeout` (code `queue_deadline`, not retryable) and its replay is skipped.
 *
 * @example
 * const model = createResilientModel({
 *   node,
 *   primary: openai,
 *   fallbacks: [anthropic],
 *   staticAnswer: 'The assistant is degraded right now; your request is kept and answered later.',
 * });
 * const response = await model.generate({ messages, signal: ctx.signal });
 */
export function createResilientModel(options: ResilientModelOptions): ResilientModel {
  return new ResilientModelClient(options);
}

class ResilientModelClient implements ResilientModel {
  readonly provider: string;
  readonly model: string;
  readonly policy: ModelPolicy;
  readonly #clock: Clock;
  readonly #name: string;
  readonly #primary: ModelClient;
  readonly #cache: ResponseCache | undefined;
  readonly #queueDeadlineMs: number;
  readonly #ladder: DegradationLadder<LadderEntry, LadderResult>;
  readonly #nudge: () => void;
  readonly #replayEveryMs: number;
  #replayTimer: TimerHandle | undefined;

  constructor(options: ResilientModelOptions) {
    if (typeof options !== 'object' || options === null) {
      throw invalidOption('options', options, 'an object');
    }
    const { node } = options;
    this.policy =
      options.policy ??
      (node !== undefined
        ? modelPolicyOf(node)
        : new ModelPolicy({ clock: checkClock('clock', options.clock) }));
    if (!(this.policy instanceof ModelPolicy)) {
      throw invalidOption('policy', options.policy, 'a ModelPolicy');
    }
    this.#clock = this.policy.clock;
    this.#primary = checkClient('primary', options.primary);
    const fallbacks = options.fallbacks ?? [];
    if (!Array.isArray(fallbacks)) throw invalidOption('fallbacks', fallbacks, 'a list');
    for (const [i, f] of fallbacks.entries()) checkClient(`fallbacks[${i}]`, f);
    this.provider = this.#primary.provider;
    this.model = this.#primary.model;
    this.#name = checkName('name', options.name ?? `model:${this.provider}/${this.model}`);
    this.#cache =
      options.cache === false
        ? undefined
        : (options.cache ?? new ResponseCache({ clock: this.#clock }));
    if (this.#cache !== undefined && !(this.#cache instanceof ResponseCache)) {
      throw invalidOption('cache', options.cache, 'a ResponseCache or false');
    }
    const answer = options.staticAnswer;
    if (answer !== undefined && typeof answer !== 'string' && typeof answer !== 'function') {
      throw invalidOption('staticAnswer', answer, 'a string or a function');
    }
    const q = MODEL_POLICY_DEFAULTS.queue;
    const queue = options.queue === false ? undefined : (options.queue ?? {});
    this.#queueDeadlineMs =
      queue === undefined
        ? 0
        : checkNumber('queue.deadlineMs', queue.deadlineMs ?? q.deadlineMs, 0, 1e12);
    this.#replayEveryMs = q.replayEveryMs;
    const { ladder, nudge } = createModelLadder({
      clock: this.#clock,
      name: this.#name,
      policy: this.policy,
      primary: this.#primary,
      fallbacks,
      cache: this.#cache,
      staticAnswer: answer,
      queueCapacity:
        queue === undefined
          ? undefined
          : checkInt('queue.capacity', queue.capacity ?? q.capacity, 1),
      observer: (event) => this.policy.emit(event),
    });
    this.#ladder = ladder;
    this.#nudge = nudge;
  }

  get level(): string | undefined {
    return this.#ladder.level;
  }

  get queued(): number {
    return this.#ladder.queued;
  }

  onLevelChange(listener: (to: string | undefined, from: string | undefined) => void): () => void {
    return this.#ladder.onLevelChange(listener);
  }

  close(): void {
    if (this.#replayTimer !== undefined) this.#clock.clearTimer(this.#replayTimer);
    this.#replayTimer = undefined;
    this.#ladder.close();
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    const result = await this.#execute({ request, mode: 'generate' });
    if (result.kind !== 'response') throw this.#unexpected(result);
    return result.response;
  }

  async *stream(request: ModelRequest): AsyncGenerator<StreamEvent> {
    const result = await this.#execute({ request, mode: 'stream' });
    if (result.kind === 'response') {
      yield* streamOf(result.response);
      return;
    }
    if (result.kind !== 'stream') throw this.#unexpected(result);
    const { first, rest, lease } = result.stream;
    const collector = new ResponseCollector();
    let failure: unknown;
    let finished = false;
    try {
      collector.add(first);
      yield first;
      for (;;) {
        const next = await rest.next();
        if (next.done === true) break;
        collector.add(next.value);
        yield next.value;
      }
      const response = collector.response;
      if (response === undefined) {
        throw new ModelCallError(
          'network',
          `${this.provider}: the stream ended without finishing`,
          {
            provider: this.provider,
            model: this.model,
          },
        );
      }
      finished = true;
      if (result.level === 'primary' || result.level.startsWith('fallback'))
        this.#cache?.set(request, response);
    } catch (error) {
      failure = error;
      throw isAbort(error) ? error : toModelCallError(error, this);
    } finally {
      if (finished || failure !== undefined) lease.end(failure);
      else discardStream(result.stream); // the caller stopped reading
    }
  }

  /** Runs the ladder; a queued call waits for its replay, bounded by the queue's deadline. */
  async #execute(
    call: Pick<LadderEntry, 'request' | 'mode'>,
  ): Promise<Exclude<LadderResult, { kind: 'skipped' | 'final' }>> {
    const entry: LadderEntry = { ...call, abandoned: false, primaryError: undefined };
    const signal = call.request.signal;
    if (signal?.aborted === true) throw aborted(signal);
    let served: Served<LadderResult>;
    try {
      served = await this.#ladder.execute(entry, signal === undefined ? {} : { signal });
    } catch (error) {
      throw this.#failure(entry, error);
    }
    if (served.queued) this.#armReplay();
    const result = served.queued ? await this.#awaitReplay(entry, served.result) : served.value;
    if (result.kind === 'final') throw result.error;
    if (result.kind === 'skipped') throw this.#unexpected(result);
    if (result.level !== 'primary') {
      this.policy.emit({
        type: 'model.degraded',
        time: this.#clock.now(),
        source: this.#name,
        level: result.level,
      });
    }
    return result;
  }

  /** While calls are queued, asks the ladder to replay them every `replayEveryMs`. */
  #armReplay(): void {
    if (this.#replayTimer !== undefined) return;
    this.#replayTimer = this.#clock.setTimer(this.#replayEveryMs, () => {
      this.#replayTimer = undefined;
      if (this.#ladder.queued === 0) return;
      this.#nudge();
      this.#armReplay();
    });
  }

  #awaitReplay(
    entry: LadderEntry,
    replay: Promise<{ readonly value: LadderResult }>,
  ): Promise<LadderResult> {
    const signal = entry.request.signal;
    const clock = this.#clock;
    return new Promise<LadderResult>((resolve, reject) => {
      let settled = false;
      const stop = (): boolean => {
        if (settled) return false;
        settled = true;
        entry.abandoned = true;
        clock.clearTimer(timer);
        signal?.removeEventListener('abort', onAbort);
        return true;
      };
      const onAbort = () => {
        if (stop()) reject(aborted(signal as AbortSignal));
      };
      const timer = clock.setTimer(this.#queueDeadlineMs, () => {
        if (!stop()) return;
        this.policy.emit({
          type: 'model.queue_expired',
          time: clock.now(),
          source: this.#name,
          deadlineMs: this.#queueDeadlineMs,
        });
        reject(
          new ModelCallError(
            'timeout',
            `${this.provider}: not replayed within the queue's ${this.#queueDeadlineMs} ms`,
            {
              provider: this.provider,
              model: this.model,
              providerCode: 'queue_deadline',
              retryable: false,
              cause: entry.primaryError,
            },
          ),
        );
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      replay.then(
        ({ value }) => {
          if (stop()) resolve(value);
          else if (value.kind === 'stream') discardStream(value.stream); // nobody waits for it
        },
        (error: unknown) => {
          if (stop()) reject(this.#failure(entry, error));
        },
      );
    });
  }

  /** The typed error a caller gets when the ladder could not serve. */
  #failure(entry: LadderEntry, error: unknown): unknown {
    const signal = entry.request.signal;
    if (signal?.aborted === true || isAbort(error)) return aborted(signal);
    if (isResilienceError(error, 'ERR_CLOSED')) {
      return new ModelCallError('unknown', `${this.#name} is closed`, {
        provider: this.provider,
        model: this.model,
        providerCode: 'closed',
        retryable: false,
        cause: error,
      });
    }
    return (
      entry.primaryError ?? this.policy.lastFailure(this.provider) ?? toModelCallError(error, this)
    );
  }

  #unexpected(result: LadderResult): ModelCallError {
    return new ModelCallError('unknown', `${this.#name}: unexpected ${result.kind} result`, {
      provider: this.provider,
      model: this.model,
      retryable: false,
    });
  }
}

function aborted(signal: AbortSignal | undefined): WardenError {
  return new WardenError('ERR_ABORTED', 'model call aborted by the caller', {
    cause: signal?.reason,
  });
}

function checkClient(field: string, client: unknown): ModelClient {
  const c = client as Partial<ModelClient> | null | undefined;
  if (
    typeof c?.generate !== 'function' ||
    typeof c.stream !== 'function' ||
    typeof c.provider !== 'string' ||
    typeof c.model !== 'string'
  ) {
    throw invalidOption(field, client, 'a ModelClient');
  }
  return client as ModelClient;
}
