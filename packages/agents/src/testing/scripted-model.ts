import { type Clock, WardenError } from '@warden/core';
import { ModelCallError } from '../model/model-call-error.js';
import type { ModelClient } from '../model/model-client.js';
import type { ModelRequest } from '../model/model-request.js';
import type { ModelResponse } from '../model/model-response.js';
import {
  checkClock,
  checkInt,
  checkName,
  checkNumber,
  invalidOption,
} from '../model/policy/option-checks.js';
import { streamOf } from '../model/policy/response-stream.js';
import type { StreamEvent } from '../model/stream-event.js';
import { estimateInputTokens } from './estimate-tokens.js';
import { type FaultEffect, type FaultRule, ruleMatches } from './scripted-fault.js';
import { responseOf, type Script, type ScriptedTurn, type TurnFunction } from './scripted-turn.js';
import { seededRandom } from './seeded-random.js';

export interface ScriptedModelOptions {
  /** The node's clock: latency, hangs, windows and deadlines all run on it. */
  readonly clock: Clock;
  /** Default `scripted`. */
  readonly provider?: string;
  /** Default `scripted-1`. */
  readonly model?: string;
  readonly script: Script;
  /** The fault schedule; every matching rule applies (latencies add up, the first failure wins). */
  readonly faults?: readonly FaultRule[];
  /** The provider's rate limit: `requests` per fixed window, 429 with `Retry-After` beyond it. */
  readonly rateLimit?: { readonly requests: number; readonly windowMs: number };
  /** Input tokens (`estimateInputTokens`) past which a request fails with `context_length`. */
  readonly contextWindow?: number;
  /** Latency of every call before any fault adds to it. Default 0. */
  readonly latencyMs?: number;
  /** The call's deadline, as a real client has one: past it, `timeout`. Default 60 000 ms. */
  readonly timeoutMs?: number;
  /** Seeds the draws of fault probabilities. Default 1. */
  readonly seed?: number;
}

export const SCRIPTED_MODEL_DEFAULTS = Object.freeze({
  provider: 'scripted',
  model: 'scripted-1',
  latencyMs: 0,
  timeoutMs: 60_000,
  seed: 1,
});

/** One call the scripted model received, for a test's assertions. */
export interface ScriptedCall {
  readonly index: number;
  readonly mode: 'generate' | 'stream';
  readonly request: ModelRequest;
  readonly startedAt: number;
  endedAt: number | undefined;
  outcome: 'pending' | 'answered' | 'failed' | 'aborted';
  response: ModelResponse | undefined;
  error: unknown;
}

/** A `ModelClient` that answers from a script and fails on a schedule, on the node's clock. */
export interface ScriptedModel extends ModelClient {
  /** Every call, in arrival order. */
  readonly calls: readonly ScriptedCall[];
  /** Calls being served now, and the most ever served at once. */
  readonly inFlight: number;
  readonly maxInFlight: number;
}

/**
 * A model for tests and demos: deterministic answers, real `ModelCallError`s (the kind, status,
 * `Retry-After` and provider code a real client sets), and time only from the given clock.
 *
 * @example
 * const model = createScriptedModel({
 *   clock,
 *   script: (request) => ({ text: `echo: ${lastText(request)}` }),
 *   faults: [{ calls: [0], effect: faults.rateLimited(2000) }, outage(60_000, 660_000)],
 * });
 */
export function createScriptedModel(options: ScriptedModelOptions): ScriptedModel {
  return new ScriptedModelClient(options);
}

interface Decision {
  readonly latencyMs: number;
  readonly failure: FaultEffect | undefined;
}

class ScriptedModelClient implements ScriptedModel {
  readonly provider: string;
  readonly model: string;
  readonly calls: ScriptedCall[] = [];
  readonly #clock: Clock;
  readonly #turns: readonly (ScriptedTurn | TurnFunction)[];
  readonly #repeat: boolean;
  readonly #faults: readonly FaultRule[];
  readonly #rateLimit: { readonly requests: number; readonly windowMs: number } | undefined;
  readonly #contextWindow: number;
  readonly #latencyMs: number;
  readonly #timeoutMs: number;
  readonly #random: () => number;
  #turn = 0;
  #window = { start: Number.NEGATIVE_INFINITY, count: 0 };
  #inFlight = 0;
  #maxInFlight = 0;

  constructor(options: ScriptedModelOptions) {
    if (typeof options !== 'object' || options === null) {
      throw invalidOption('options', options, 'an object');
    }
    const d = SCRIPTED_MODEL_DEFAULTS;
    this.#clock = checkClock('clock', options.clock);
    this.provider = checkName('provider', options.provider ?? d.provider);
    this.model = checkName('model', options.model ?? d.model);
    const script = options.script;
    if (Array.isArray(script)) {
      if (script.length === 0) throw invalidOption('script', script, 'at least one turn');
      this.#turns = script;
      this.#repeat = false;
    } else if (typeof script === 'function' || (typeof script === 'object' && script !== null)) {
      this.#turns = [script as ScriptedTurn | TurnFunction];
      this.#repeat = true;
    } else {
      throw invalidOption('script', script, 'a turn, a function or a list of them');
    }
    this.#faults = checkFaults(options.faults ?? []);
    if (options.rateLimit !== undefined) {
      this.#rateLimit = {
        requests: checkInt('rateLimit.requests', options.rateLimit.requests, 1),
        windowMs: checkNumber('rateLimit.windowMs', options.rateLimit.windowMs, 1, 1e12),
      };
    }
    this.#contextWindow =
      options.contextWindow === undefined
        ? Number.POSITIVE_INFINITY
        : checkInt('contextWindow', options.contextWindow, 1);
    this.#latencyMs = checkNumber('latencyMs', options.latencyMs ?? d.latencyMs, 0, 1e12);
    this.#timeoutMs = checkNumber('timeoutMs', options.timeoutMs ?? d.timeoutMs, 1, 1e12);
    this.#random = seededRandom(checkInt('seed', options.seed ?? d.seed, 0));
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get maxInFlight(): number {
    return this.#maxInFlight;
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    const call = this.#open('generate', request);
    try {
      const response = await this.#serve(call);
      this.#close(call, 'answered', response, undefined);
      return response;
    } catch (error) {
      this.#close(call, outcomeOf(error), undefined, error);
      throw error;
    }
  }

  async *stream(request: ModelRequest): AsyncGenerator<StreamEvent> {
    const call = this.#open('stream', request);
    let response: ModelResponse | undefined;
    try {
      try {
        response = await this.#serve(call);
      } catch (error) {
        if (!isModelCallError(error, 'invalid_response')) throw error;
        // a garbled stream: one event gets through, then the stream breaks
        yield { type: 'text-delta', text: '{"choices":[{"delta":' };
        throw error;
      }
      for (const event of streamOf(response)) {
        throwIfAborted(request.signal);
        yield event;
      }
      this.#close(call, 'answered', response, undefined);
    } catch (error) {
      this.#close(call, outcomeOf(error), undefined, error);
      throw error;
    } finally {
      // the consumer stopped early: the call ends as aborted, not pending
      if (call.outcome === 'pending') this.#close(call, 'aborted', undefined, undefined);
    }
  }

  #open(mode: ScriptedCall['mode'], request: ModelRequest): ScriptedCall {
    const call: ScriptedCall = {
      index: this.calls.length,
      mode,
      request,
      startedAt: this.#clock.now(),
      endedAt: undefined,
      outcome: 'pending',
      response: undefined,
      error: undefined,
    };
    this.calls.push(call);
    this.#inFlight++;
    this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight);
    return call;
  }

  #close(
    call: ScriptedCall,
    outcome: ScriptedCall['outcome'],
    response: ModelResponse | undefined,
    error: unknown,
  ): void {
    if (call.outcome !== 'pending') return;
    call.outcome = outcome;
    call.response = response;
    call.error = error;
    call.endedAt = this.#clock.now();
    this.#inFlight--;
  }

  async #serve(call: ScriptedCall): Promise<ModelResponse> {
    const { request } = call;
    throwIfAborted(request.signal);
    const decision = this.#decide(call);
    const failure = decision.failure ?? this.#admit(request);
    const hang = failure?.type === 'hang';
    await this.#wait(hang ? Number.POSITIVE_INFINITY : decision.latencyMs, request.signal);
    if (failure?.type === 'error') throw this.#error(failure);
    if (failure?.type === 'garbage') {
      // as the real clients report a 2xx they cannot read: `server`, retryable
      throw new ModelCallError('server', `${this.provider}: the response body is not JSON`, {
        status: 200,
        providerCode: 'invalid_response',
        provider: this.provider,
        model: this.model,
      });
    }
    const turn = this.#nextTurn(request, call.index);
    return responseOf(turn, request, this.model, `${this.provider}-${call.index}`);
  }

  /** The scheduled faults that hit this call (probabilities drawn in rule order). */
  #decide(call: ScriptedCall): Decision {
    let latencyMs = this.#latencyMs;
    let failure: FaultEffect | undefined;
    for (const rule of this.#faults) {
      if (!ruleMatches(rule, call.index, call.startedAt)) continue;
      if (rule.probability !== undefined && !(this.#random() < rule.probability)) continue;
      if (rule.effect.type === 'latency') latencyMs += rule.effect.ms;
      else failure ??= rule.effect;
    }
    return { latencyMs, failure };
  }

  /** The provider's own checks: its rate limit, then the context window. */
  #admit(request: ModelRequest): FaultEffect | undefined {
    const limit = this.#rateLimit;
    if (limit !== undefined) {
      const now = this.#clock.now();
      const start = Math.floor(now / limit.windowMs) * limit.windowMs;
      if (start !== this.#window.start) this.#window = { start, count: 0 };
      if (this.#window.count >= limit.requests) {
        // as a Retry-After header says it: whole seconds, rounded up
        const retryAfterMs = Math.ceil((start + limit.windowMs - now) / 1000) * 1000;
        return {
          type: 'error',
          kind: 'rate_limited',
          status: 429,
          retryAfterMs,
          providerCode: 'rate_limit_exceeded',
          message: `Rate limit reached: ${limit.requests} requests per ${limit.windowMs} ms`,
        };
      }
      this.#window.count++;
    }
    const tokens = estimateInputTokens(request);
    if (tokens > this.#contextWindow) {
      return {
        type: 'error',
        kind: 'context_length',
        status: 400,
        providerCode: 'context_length_exceeded',
        message: `This model's maximum context length is ${this.#contextWindow} tokens; the request has ${tokens}`,
      };
    }
    return undefined;
  }

  #nextTurn(request: ModelRequest, index: number): ScriptedTurn {
    const at = this.#repeat ? 0 : this.#turn;
    const turn = this.#turns[at];
    if (turn === undefined) {
      throw new ModelCallError('unknown', `${this.provider}: the script has no turn ${at}`, {
        providerCode: 'script_exhausted',
        provider: this.provider,
        model: this.model,
      });
    }
    this.#turn++;
    return typeof turn === 'function' ? turn(request, { index, now: this.#clock.now() }) : turn;
  }

  #error(effect: Extract<FaultEffect, { type: 'error' }>): ModelCallError {
    return new ModelCallError(effect.kind, `${this.provider}: ${effect.message ?? effect.kind}`, {
      ...(effect.status === undefined ? {} : { status: effect.status }),
      ...(effect.retryAfterMs === undefined ? {} : { retryAfterMs: effect.retryAfterMs }),
      ...(effect.providerCode === undefined ? {} : { providerCode: effect.providerCode }),
      provider: this.provider,
      model: this.model,
    });
  }

  /** Waits `ms` (forever: a hang), bounded by the call's deadline and the caller's signal. */
  #wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    const deadline = this.#timeoutMs;
    if (ms === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const clock = this.#clock;
      const finish = (error?: unknown) => {
        clock.clearTimer(timer);
        signal?.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onAbort = () => finish(abortedError(signal as AbortSignal));
      const timer =
        ms >= deadline
          ? clock.setTimer(deadline, () =>
              finish(
                new ModelCallError('timeout', `${this.provider}: no answer in ${deadline} ms`, {
                  provider: this.provider,
                  model: this.model,
                }),
              ),
            )
          : clock.setTimer(ms, () => finish());
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function checkFaults(rules: readonly FaultRule[]): readonly FaultRule[] {
  if (!Array.isArray(rules)) throw invalidOption('faults', rules, 'a list of fault rules');
  rules.forEach((rule, i) => {
    const type = (rule as { effect?: { type?: unknown } } | null)?.effect?.type;
    if (!['latency', 'error', 'hang', 'garbage'].includes(type as string)) {
      throw invalidOption(`faults[${i}].effect`, rule?.effect, 'a FaultEffect');
    }
    if (rule.probability !== undefined) {
      checkNumber(`faults[${i}].probability`, rule.probability, 0, 1);
    }
    if (rule.effect.type === 'latency') {
      checkNumber(`faults[${i}].effect.ms`, rule.effect.ms, 0, 1e12);
    }
  });
  return [...rules];
}

function isModelCallError(error: unknown, providerCode: string): boolean {
  return error instanceof ModelCallError && error.providerCode === providerCode;
}

function abortedError(signal: AbortSignal): WardenError {
  return new WardenError('ERR_ABORTED', 'model call aborted by the caller', {
    cause: signal.reason,
  });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortedError(signal);
}

function outcomeOf(error: unknown): ScriptedCall['outcome'] {
  return (error as { code?: unknown })?.code === 'ERR_ABORTED' ? 'aborted' : 'failed';
}
