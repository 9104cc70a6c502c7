import { type Clock, type Node, WardenError } from '@warden/core';
import {
  type DegradationLadder,
  isAvailable,
  isResilienceError,
  ResilienceError,
} from '@warden/resilience';
import { takesGeneralPath } from '../internal/general-path.js';
import { ModelCallError } from '../model-call-error.js';
import type { ModelClient } from '../model-client.js';
import type { ModelRequest } from '../model-request.js';
import type { ModelResponse } from '../model-response.js';
import type { StreamEvent } from '../stream-event.js';
import { MODEL_POLICY_DEFAULTS } from './failure-handling.js';
import type { CallSink } from './generate-call.js';
import type { LadderEntry, LadderResult } from './ladder-entry.js';
import { isAbort, toModelCallError } from './model-failure.js';
import { createModelLadder, PrimaryRung, rungFailure, serveModel } from './model-ladder.js';
import { generateThrough, ModelPolicy, modelPolicyOf } from './model-policy.js';
import { ModelQueue } from './model-queue.js';
import { checkClock, checkInt, checkName, checkNumber, invalidOption } from './option-checks.js';
import { readStream } from './resilient-stream.js';
import { ResponseCache } from './response-cache.js';
import { streamOf } from './response-stream.js';
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
  /** The queue rung; `false`: none (a call nothing can serve fails at once, typed). */
  readonly queue?:
    | false
    | {
        readonly capacity?: number;
        readonly deadlineMs?: number;
        readonly replayEveryMs?: number;
      };
  /** Names the ladder in events. Default `model:<provider>/<model>`. */
  readonly name?: string;
}

/** A `ModelClient` whose every call goes through the node's policy and the degradation ladder. */
export interface ResilientModel extends ModelClient {
  /** The best rung that can serve now: `primary`, `fallback-N`, `cache` or `static`. */
  readonly level: string | undefined;
  /** Calls waiting in the queue for a rung to serve them. */
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
 * @example
 * const model = createResilientModel({
 *   node,
 *   primary: openai,
 *   fallbacks: [anthropic],
 *   staticAnswer: 'The assistant is degraded right now; please try again in a few minutes.',
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
  readonly #cache: ResponseCache | undefined;
  readonly #ladder: DegradationLadder<LadderEntry, LadderResult>;
  readonly #queue: ModelQueue | undefined;
  readonly #unsubscribe: (() => void)[] = [];
  readonly #primary: ModelClient;
  readonly #primaryRung: PrimaryRung;
  /** Aborts the calls in flight that have no signal of their own when the model is closed. */
  readonly #closing = new AbortController();
  /** Its signal, read once (a getter of Node's, not a field). */
  readonly #closingSignal = this.#closing.signal;
  #closed = false;
  /** Where the primary's outcome goes when a `generate` is given to it first (`generate`). */
  readonly #sink: CallSink = {
    answered: (request, response) => this.#cache?.set(request, response),
    failed: (request, signal, error) => this.#afterPrimary(request, signal, error),
  };
  /** Whether a `generate` may go to the primary without the ladder's frames (off only in tests). */
  readonly #inlineFirst: boolean;

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
    this.#inlineFirst = !takesGeneralPath(this.policy);
    const primary = checkClient('primary', options.primary);
    const fallbacks = options.fallbacks ?? [];
    if (!Array.isArray(fallbacks)) throw invalidOption('fallbacks', fallbacks, 'a list');
    for (const [i, f] of fallbacks.entries()) checkClient(`fallbacks[${i}]`, f);
    this.provider = primary.provider;
    this.model = primary.model;
    this.#primary = primary;
    this.#primaryRung = new PrimaryRung(this.policy.breaker(primary.provider));
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
    this.#ladder = createModelLadder({
      clock: this.#clock,
      name: this.#name,
      policy: this.policy,
      primary,
      fallbacks,
      cache: this.#cache,
      staticAnswer: answer,
      observer: (event) => this.policy.emit(event),
      primaryRung: this.#primaryRung,
    });
    this.#queue = this.#createQueue(options.queue);
    const queue = this.#queue;
    if (queue !== undefined) {
      for (const client of [primary, ...fallbacks]) {
        this.#unsubscribe.push(
          this.policy.breaker(client.provider).onStateChange(() => queue.wake()),
        );
      }
    }
  }

  get level(): string | undefined {
    return this.#ladder.level;
  }

  get queued(): number {
    return this.#queue?.depth ?? 0;
  }

  onLevelChange(listener: (to: string | undefined, from: string | undefined) => void): () => void {
    return this.#ladder.onLevelChange(listener);
  }

  close(): void {
    if (!this.#closed) {
      this.#closed = true;
      this.#closing.abort(new ResilienceError('ERR_CLOSED', `${this.#name} is closed`));
    }
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#queue?.close();
    this.#ladder.close();
  }

  generate(request: ModelRequest): Promise<ModelResponse> {
    // the primary first, without the ladder's frames, when the ladder would give it the call
    if (
      this.#inlineFirst &&
      typeof request === 'object' &&
      request !== null &&
      request.signal?.aborted !== true &&
      this.#primaryFirst()
    ) {
      const signal = request.signal;
      const rungSignal = signal ?? this.#closingSignal;
      try {
        // unaborted: the caller's signal was just read, and the model's own aborts only on close
        return generateThrough(this.policy, this.#primary, request, rungSignal, this.#sink, true);
      } catch (error) {
        // as `serveModel`, which meets it inside its own try: the primary's failure
        return this.#afterPrimary(request, rungSignal, error);
      }
    }
    return this.#generate(request);
  }

  async #generate(request: ModelRequest): Promise<ModelResponse> {
    return this.#responseOf(await this.#execute(request, 'generate'));
  }

  #responseOf(result: Exclude<LadderResult, { kind: 'skipped' | 'final' }>): ModelResponse {
    if (result.kind !== 'response') throw this.#unexpected(result);
    return result.response;
  }

  async *stream(request: ModelRequest): AsyncGenerator<StreamEvent> {
    const result = await this.#execute(request, 'stream');
    if (result.kind === 'response') {
      yield* streamOf(result.response);
      return;
    }
    if (result.kind !== 'stream') throw this.#unexpected(result);
    const fromModel = result.level === 'primary' || result.level.startsWith('fallback');
    yield* readStream(result.stream, this, (response) => {
      if (fromModel) this.#cache?.set(request, response);
    });
  }

  #createQueue(option: ResilientModelOptions['queue']): ModelQueue | undefined {
    if (option === false) return undefined;
    const q = MODEL_POLICY_DEFAULTS.queue;
    const o = option ?? {};
    return new ModelQueue({
      clock: this.#clock,
      name: this.#name,
      provider: this.provider,
      model: this.model,
      capacity: checkInt('queue.capacity', o.capacity ?? q.capacity, 1),
      deadlineMs: checkNumber('queue.deadlineMs', o.deadlineMs ?? q.deadlineMs, 0, 1e12),
      replayEveryMs: checkNumber(
        'queue.replayEveryMs',
        o.replayEveryMs ?? q.replayEveryMs,
        1,
        1e12,
      ),
      replay: (entry) =>
        this.#ladder.execute(entry).then((served) => (served.queued ? SKIP : served.value)),
      emit: (event) => this.policy.emit(event),
    });
  }

  /**
   * Down the ladder; what no rung can serve waits in the queue, if there is one. A `generate`
   * the ladder would give the primary first is served by the primary here, and handed to the
   * ladder only if that fails (`PrimaryRung.replay`: the ladder then goes on exactly as if it had
   * made the call), so a call that succeeds pays nothing for the rungs below.
   */
  async #execute(
    request: ModelRequest,
    mode: LadderEntry['mode'],
  ): Promise<Exclude<LadderResult, { kind: 'skipped' | 'final' }>> {
    const signal = request.signal;
    if (signal?.aborted === true) throw aborted(signal);
    const entry: LadderEntry = { request, mode, abandoned: false, primaryError: undefined };
    let result: LadderResult;
    try {
      if (mode === 'generate' && this.#primaryFirst()) {
        // the signal the ladder would give the rung: the caller's, or the model's own
        const rungSignal = signal ?? this.#closingSignal;
        try {
          result = await serveModel(
            this.policy,
            this.#primary,
            'primary',
            entry,
            rungSignal,
            this.#cache,
          );
        } catch (error) {
          result = await this.#belowPrimary(entry, rungSignal, error);
        }
      } else {
        result = await this.#down(entry, signal, NOTHING);
      }
    } catch (error) {
      result = await this.#queued(entry, error);
    }
    return this.#served(result);
  }

  /**
   * A `generate` served by the primary at first try (`generate`) that failed: from here it goes
   * on as `#execute` goes on after `serveModel`'s failure.
   */
  async #afterPrimary(
    request: ModelRequest,
    rungSignal: AbortSignal,
    error: unknown,
  ): Promise<ModelResponse> {
    const entry: LadderEntry = {
      request,
      mode: 'generate',
      abandoned: false,
      primaryError: undefined,
    };
    let result: LadderResult;
    try {
      try {
        result = rungFailure(this.#primary, 'primary', entry, rungSignal, error);
      } catch (failure) {
        result = await this.#belowPrimary(entry, rungSignal, failure);
      }
    } catch (failure) {
      result = await this.#queued(entry, failure);
    }
    return this.#responseOf(this.#served(result));
  }

  /** As the ladder: an aborted call ends here; any other failure of the primary falls through. */
  #belowPrimary(
    entry: LadderEntry,
    rungSignal: AbortSignal,
    error: unknown,
  ): Promise<LadderResult> {
    if (rungSignal.aborted) throw abortedBy(rungSignal);
    return this.#down(entry, entry.request.signal, error);
  }

  /** What no rung could serve: the queue takes it, if there is one and it is a model failure. */
  #queued(entry: LadderEntry, error: unknown): Promise<LadderResult> {
    const failure = this.#failure(entry, error);
    if (this.#queue === undefined || !(failure instanceof ModelCallError)) throw failure;
    return this.#queue.enqueue(entry, failure);
  }

  /** The call's result as its caller gets it; a degraded answer is an event. */
  #served(result: LadderResult): Exclude<LadderResult, { kind: 'skipped' | 'final' }> {
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

  /** Whether the ladder would try the primary first: it is open, and so is the primary's rung. */
  #primaryFirst(): boolean {
    return !this.#closed && isAvailable(this.#primaryRung);
  }

  /** The ladder from its top, or (with the primary's failure to replay) from below the primary. */
  async #down(
    entry: LadderEntry,
    signal: AbortSignal | undefined,
    primaryFailure: unknown,
  ): Promise<LadderResult> {
    const options = signal === undefined ? NO_SIGNAL : { signal };
    const served = await (primaryFailure === NOTHING
      ? this.#ladder.execute(entry, options)
      : this.#primaryRung.replay(entry, primaryFailure, () =>
          this.#ladder.execute(entry, options),
        ));
    return served.queued ? SKIP : served.value;
  }

  /** The typed error a caller gets when no rung could serve. */
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

const SKIP: LadderResult = Object.freeze({ kind: 'skipped' });
const NO_SIGNAL = Object.freeze({});
/** No failure to replay: the ladder starts from its top. */
const NOTHING = Symbol('nothing');

/** What the ladder throws when the signal it was given aborts. */
function abortedBy(signal: AbortSignal): ResilienceError {
  return new ResilienceError('ERR_ABORTED', 'aborted by the caller', { cause: signal.reason });
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
