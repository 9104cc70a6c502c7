import type {
  LanguageModelV3,
  LanguageModelV3Content,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamPart,
} from '@ai-sdk/provider';
import {
  ModelCallError,
  type ModelClient,
  type ModelRequest,
  type ModelResponse,
  type Part,
  parseToolInput,
  type StreamEvent,
} from '@warden/agents';
import { type Clock, systemClock, WardenError } from '@warden/core';
import { classifyAiSdkError } from './classify-ai-sdk-error.js';
import { startDeadline } from './internal/call-deadline.js';
import { toV3CallOptions } from './internal/to-v3-call-options.js';
import { fromV3FinishReason } from './internal/v3-finish-reason.js';
import { fromV3Usage } from './internal/v3-usage.js';
import type { Origin } from './origin.js';

export interface FromAiSdkOptions {
  /** The provider's name in errors and events; default the model's own `provider`. */
  readonly provider?: string;
  /** The clock the deadline runs on: the node's (`node.clock`); default the system clock. */
  readonly clock?: Clock;
  /** The deadline of one call, a stream included, from the request to its last event. */
  readonly timeoutMs?: number;
}

export const FROM_AI_SDK_DEFAULTS = Object.freeze({ timeoutMs: 600_000 });

/**
 * Any AI SDK `LanguageModelV3` (an OpenAI, Anthropic, Bedrock, Ollama... provider) as a warden
 * `ModelClient`, so the failure policy, the breakers and the ladder apply to it as to warden's
 * own clients. Everything the model throws, or streams as an error, becomes a `ModelCallError`
 * classified once here; a tool call's arguments arrive parsed; every call ends by its deadline
 * on the given clock even if the provider ignores its abort signal.
 *
 * Reasoning, sources, files and provider-executed tool calls and results are not part of
 * warden's conversation and are left out of the response.
 *
 * @example
 * const client = fromAiSdk(openai('gpt-4o-mini'), { clock: node.clock, timeoutMs: 120_000 });
 */
export function fromAiSdk(model: LanguageModelV3, options: FromAiSdkOptions = {}): ModelClient {
  if (model?.specificationVersion !== 'v3') {
    throw new WardenError('ERR_INVALID_ARGUMENT', 'model: expected an AI SDK LanguageModelV3', {
      field: 'model',
    });
  }
  const timeoutMs = options.timeoutMs ?? FROM_AI_SDK_DEFAULTS.timeoutMs;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new WardenError(
      'ERR_INVALID_ARGUMENT',
      `timeoutMs: expected a positive number of milliseconds, got ${String(timeoutMs)}`,
      { field: 'timeoutMs' },
    );
  }
  return new AiSdkModelClient(
    model,
    { provider: options.provider ?? model.provider, model: model.modelId },
    options.clock ?? systemClock,
    timeoutMs,
  );
}

class AiSdkModelClient implements ModelClient {
  readonly provider: string;
  readonly model: string;
  readonly #v3: LanguageModelV3;
  readonly #origin: Origin;
  readonly #clock: Clock;
  readonly #timeoutMs: number;

  constructor(v3: LanguageModelV3, origin: Origin, clock: Clock, timeoutMs: number) {
    this.provider = origin.provider;
    this.model = origin.model;
    this.#v3 = v3;
    this.#origin = origin;
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    const deadline = startDeadline(request.signal, this.#timeoutMs, this.#clock, this.#origin);
    try {
      const options = toV3CallOptions(request, deadline.signal, this.#origin);
      const result = await deadline.race(
        Promise.resolve().then(() => this.#v3.doGenerate(options)),
      );
      return this.#toResponse(result);
    } catch (error) {
      throw failureOf(error, deadline.signal, request.signal, this.#origin);
    } finally {
      deadline.dispose();
    }
  }

  async *stream(request: ModelRequest): AsyncGenerator<StreamEvent, void, undefined> {
    const deadline = startDeadline(request.signal, this.#timeoutMs, this.#clock, this.#origin);
    let reader: ReadableStreamDefaultReader<LanguageModelV3StreamPart> | undefined;
    let ended = false;
    try {
      const options = toV3CallOptions(request, deadline.signal, this.#origin);
      const { stream } = await deadline.race(
        Promise.resolve().then(() => this.#v3.doStream(options)),
      );
      reader = stream.getReader();
      let finish: Extract<LanguageModelV3StreamPart, { type: 'finish' }> | undefined;
      let responseId: string | undefined;
      let modelId: string | undefined;
      for (;;) {
        const { done, value: part } = await deadline.race(reader.read());
        if (done) break;
        switch (part.type) {
          case 'text-delta':
            if (part.delta !== '') yield { type: 'text-delta', text: part.delta };
            break;
          case 'tool-call':
            if (part.providerExecuted !== true) yield this.#toolCall(part);
            break;
          case 'response-metadata':
            responseId = part.id ?? responseId;
            modelId = part.modelId ?? modelId;
            break;
          case 'finish':
            finish = part;
            break;
          case 'error':
            throw part.error;
          default:
            break;
        }
      }
      if (finish === undefined) {
        throw new ModelCallError('network', 'the stream ended before its finish event', {
          provider: this.provider,
          model: this.model,
        });
      }
      ended = true;
      yield {
        type: 'finish',
        finishReason: fromV3FinishReason(finish.finishReason),
        usage: fromV3Usage(finish.usage),
        model: modelId ?? this.model,
        ...(responseId === undefined ? {} : { responseId }),
      };
    } catch (error) {
      ended = true;
      throw failureOf(error, deadline.signal, request.signal, this.#origin);
    } finally {
      // A consumer that stops early cancels the provider's request; nothing is left reading.
      if (!ended) deadline.cancel(new Error('the consumer stopped reading the stream'));
      deadline.dispose();
      reader?.cancel().catch(() => {});
    }
  }

  #toResponse(result: LanguageModelV3GenerateResult): ModelResponse {
    const content: Part[] = [];
    for (const item of result.content) {
      if (item.type === 'text') content.push({ type: 'text', text: item.text });
      else if (item.type === 'tool-call' && item.providerExecuted !== true) {
        const { type: _, ...call } = this.#toolCall(item);
        content.push({ type: 'tool-call', ...call });
      }
    }
    const id = result.response?.id;
    return {
      content,
      finishReason: fromV3FinishReason(result.finishReason),
      usage: fromV3Usage(result.usage),
      model: result.response?.modelId ?? this.model,
      ...(id === undefined ? {} : { responseId: id }),
    };
  }

  /**
   * Arguments that are not JSON do not fail the call: as in warden's own clients, the call keeps
   * the raw text with `inputError`, for the agent to answer with a tool error.
   */
  #toolCall(call: Extract<LanguageModelV3Content, { type: 'tool-call' }>) {
    const raw: unknown = call.input;
    const parsed = typeof raw === 'string' ? parseToolInput(raw) : { input: raw };
    return {
      type: 'tool-call' as const,
      callId: call.toolCallId,
      name: call.toolName,
      input: parsed.input,
      ...(parsed.inputError === undefined ? {} : { inputError: parsed.inputError }),
    };
  }
}

/**
 * Why the call ended. The deadline's own reason is its `timeout` error; the caller's abort is
 * core's `ERR_ABORTED`, as in warden's own clients (not a model failure: nothing retries it or
 * counts it against the provider); anything else is classified.
 */
function failureOf(
  error: unknown,
  signal: AbortSignal,
  caller: AbortSignal | undefined,
  origin: Origin,
): Error {
  if (signal.aborted) {
    if (caller?.aborted === true) {
      return new WardenError('ERR_ABORTED', `${origin.provider}: the model call was aborted`, {
        cause: caller.reason,
      });
    }
    if (signal.reason instanceof ModelCallError) return signal.reason;
  }
  return classifyAiSdkError(error, origin);
}
