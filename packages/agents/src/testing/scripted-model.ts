import { type Clock, withoutStack } from '@warden/core';
import { taskSignalOf } from '../agent/agent-request.js';
import { isRequestAborted } from '../model/internal/policy-request.js';
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
import { RateWindow } from './rate-window.js';
import type { ScriptedCall } from './scripted-call.js';
import { checkFaults, type FaultEffect, type FaultRule, ruleMatches } from './scripted-fault.js';
import { SCRIPTED_MODEL_DEFAULTS, type ScriptedModelOptions } from './scripted-model-options.js';
import { responseOf, type ScriptedTurn, type TurnFunction } from './scripted-turn.js';
import { seededRandom } from './seeded-random.js';
import { abortedError, throwIfAborted, waitForAnswer } from './wait-for-answer.js';

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
  readonly #rateLimit: RateWindow | undefined;
  readonly #contextWindow: number;
  readonly #latencyMs: number;
  readonly #timeoutMs: number;
  readonly #random: () => number;
  #turn = 0;
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
      this.#rateLimit = new RateWindow(
        checkInt('rateLimit.requests', options.rateLimit.requests, 1),
        checkNumber('rateLimit.windowMs', options.rateLimit.windowMs, 1, 1e12),
      );
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
    // asked without reading the signal: the policy's request makes its signal only when read
    if (isRequestAborted(request))
      throw abortedError(taskSignalOf(request) ?? (request.signal as AbortSignal));
    const decision = this.#decide(call);
    const failure = decision.failure ?? this.#admit(request);
    const hang = failure?.type === 'hang';
    await this.#wait(hang ? Number.POSITIVE_INFINITY : decision.latencyMs, request);
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
    const limited = this.#rateLimit?.admit(this.#clock.now());
    if (limited !== undefined) return limited;
    // No window, nothing to refuse: the estimate is not made for it.
    if (this.#contextWindow === Number.POSITIVE_INFINITY) return undefined;
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

  /**
   * A scripted provider's error, made without a stack: it stands for an answer from elsewhere,
   * and its stack would name only the scripted model's frames (a simulation injects thousands).
   */
  #error(effect: Extract<FaultEffect, { type: 'error' }>): ModelCallError {
    return withoutStack(() => this.#errorOf(effect));
  }

  #errorOf(effect: Extract<FaultEffect, { type: 'error' }>): ModelCallError {
    return new ModelCallError(effect.kind, `${this.provider}: ${effect.message ?? effect.kind}`, {
      ...(effect.status === undefined ? {} : { status: effect.status }),
      ...(effect.retryAfterMs === undefined ? {} : { retryAfterMs: effect.retryAfterMs }),
      ...(effect.providerCode === undefined ? {} : { providerCode: effect.providerCode }),
      provider: this.provider,
      model: this.model,
    });
  }

  /** Waits `ms` (forever: a hang), bounded by the call's deadline and the caller's signal. */
  #wait(ms: number, request: ModelRequest): Promise<void> {
    const deadline = this.#timeoutMs;
    if (ms === 0) return Promise.resolve(); // no wait: the signal is not needed (nor made)
    // An agent step's request is waited on through its task's abort, which makes no AbortSignal.
    const signal = taskSignalOf(request) ?? request.signal;
    return waitForAnswer(this.#clock, ms, deadline, signal, () => {
      return new ModelCallError('timeout', `${this.provider}: no answer in ${deadline} ms`, {
        provider: this.provider,
        model: this.model,
      });
    });
  }
}

function isModelCallError(error: unknown, providerCode: string): boolean {
  return error instanceof ModelCallError && error.providerCode === providerCode;
}

function outcomeOf(error: unknown): ScriptedCall['outcome'] {
  return (error as { code?: unknown })?.code === 'ERR_ABORTED' ? 'aborted' : 'failed';
}
