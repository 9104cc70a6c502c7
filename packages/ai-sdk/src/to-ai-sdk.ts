import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamPart,
  LanguageModelV3StreamResult,
} from '@ai-sdk/provider';
import type { ModelClient, Part, StreamEvent } from '@warden/agents';
import { fromV3CallOptions } from './internal/from-v3-call-options.js';
import { toApiCallError } from './internal/to-api-call-error.js';
import { toV3FinishReason } from './internal/v3-finish-reason.js';
import { toV3Usage } from './internal/v3-usage.js';
import type { Origin } from './origin.js';

export interface ToAiSdkOptions {
  /** The provider name the AI SDK reports; default the client's own `provider`. */
  readonly provider?: string;
}

/**
 * A warden `ModelClient` (typically one wrapped in the failure policy) as an AI SDK
 * `LanguageModelV3`, for `generateText`, `streamText` and every other AI SDK caller. A failure
 * surfaces as an `APICallError` carrying the status, the retryability and the `Retry-After` the
 * warden error knows; an abort surfaces as the abort signal's reason, as a fetch would.
 *
 * The policy has already retried what deserved it within its budget: pass `maxRetries: 0` to the
 * AI SDK so that it does not multiply the attempts.
 *
 * @example
 * const { text } = await generateText({ model: toAiSdk(resilientClient), prompt, maxRetries: 0 });
 */
export function toAiSdk(client: ModelClient, options: ToAiSdkOptions = {}): LanguageModelV3 {
  return new WardenLanguageModel(client, options.provider ?? client.provider);
}

class WardenLanguageModel implements LanguageModelV3 {
  readonly specificationVersion = 'v3' as const;
  readonly provider: string;
  readonly modelId: string;
  /** warden's request has no file parts, so no URL is passed through for the model to fetch. */
  readonly supportedUrls: Record<string, RegExp[]> = {};
  readonly #client: ModelClient;
  readonly #origin: Origin;

  constructor(client: ModelClient, provider: string) {
    this.#client = client;
    this.provider = provider;
    this.modelId = client.model;
    this.#origin = { provider, model: client.model };
  }

  async doGenerate(options: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> {
    const { request, warnings } = fromV3CallOptions(options);
    let response: Awaited<ReturnType<ModelClient['generate']>>;
    try {
      response = await this.#client.generate(request);
    } catch (error) {
      throw this.#surface(error, options.abortSignal);
    }
    return {
      content: toV3Content(response.content),
      finishReason: toV3FinishReason(response.finishReason),
      usage: toV3Usage(response.usage),
      warnings,
      response: {
        modelId: response.model,
        ...(response.responseId === undefined ? {} : { id: response.responseId }),
      },
    };
  }

  /**
   * The first event is awaited before the stream is returned, so a call refused outright (a 429,
   * an expired key) rejects `doStream` as an HTTP provider's would; later failures arrive in the
   * stream as an `error` part.
   */
  async doStream(options: LanguageModelV3CallOptions): Promise<LanguageModelV3StreamResult> {
    const { request, warnings } = fromV3CallOptions(options);
    const events = this.#client.stream(request)[Symbol.asyncIterator]();
    let first: IteratorResult<StreamEvent>;
    try {
      first = await events.next();
    } catch (error) {
      throw this.#surface(error, options.abortSignal);
    }
    const signal = options.abortSignal;
    const parts = new StreamParts();
    let pending: IteratorResult<StreamEvent> | undefined = first;
    return {
      stream: new ReadableStream<LanguageModelV3StreamPart>({
        start: (controller) => controller.enqueue({ type: 'stream-start', warnings }),
        pull: async (controller) => {
          try {
            const next: IteratorResult<StreamEvent> = pending ?? (await events.next());
            pending = undefined;
            if (next.done === true) {
              if (!parts.finished) {
                controller.enqueue({
                  type: 'error',
                  error: toApiCallError(
                    new Error('the stream ended without a finish event'),
                    this.#origin,
                  ),
                });
              }
              controller.close();
              return;
            }
            for (const part of parts.from(next.value)) controller.enqueue(part);
          } catch (error) {
            if (signal?.aborted === true) {
              controller.error(abortReason(signal));
              return;
            }
            controller.enqueue({ type: 'error', error: this.#surface(error, signal) });
            controller.close();
          }
        },
        cancel: async () => {
          await events.return?.();
        },
      }),
    };
  }

  #surface(error: unknown, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted === true) return abortReason(signal);
    return toApiCallError(error, this.#origin);
  }
}

/** What fetch would throw: the signal's reason, or an `AbortError` when it has none. */
function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * Our events as V3 stream parts: text is framed by `text-start`/`text-end`, and each tool call
 * comes with its input as one delta before the call itself, as HTTP providers send them.
 */
class StreamParts {
  finished = false;
  #text: string | undefined;
  #texts = 0;

  *from(event: StreamEvent): Generator<LanguageModelV3StreamPart> {
    switch (event.type) {
      case 'text-delta':
        if (this.#text === undefined) {
          this.#text = `text-${this.#texts++}`;
          yield { type: 'text-start', id: this.#text };
        }
        yield { type: 'text-delta', id: this.#text, delta: event.text };
        return;
      case 'tool-call': {
        yield* this.#endText();
        const input = toV3Input(event);
        yield { type: 'tool-input-start', id: event.callId, toolName: event.name };
        yield { type: 'tool-input-delta', id: event.callId, delta: input };
        yield { type: 'tool-input-end', id: event.callId };
        yield { type: 'tool-call', toolCallId: event.callId, toolName: event.name, input };
        return;
      }
      case 'finish':
        yield* this.#endText();
        this.finished = true;
        yield {
          type: 'response-metadata',
          modelId: event.model,
          ...(event.responseId === undefined ? {} : { id: event.responseId }),
        };
        yield {
          type: 'finish',
          finishReason: toV3FinishReason(event.finishReason),
          usage: toV3Usage(event.usage),
        };
        return;
    }
  }

  *#endText(): Generator<LanguageModelV3StreamPart> {
    if (this.#text === undefined) return;
    yield { type: 'text-end', id: this.#text };
    this.#text = undefined;
  }
}

/** Tool results in a response are the provider's own business; the AI SDK expects none here. */
function toV3Content(content: readonly Part[]): LanguageModelV3Content[] {
  const out: LanguageModelV3Content[] = [];
  for (const part of content) {
    if (part.type === 'text') out.push({ type: 'text', text: part.text });
    else if (part.type === 'tool-call') {
      out.push({
        type: 'tool-call',
        toolCallId: part.callId,
        toolName: part.name,
        input: toV3Input(part),
      });
    }
  }
  return out;
}

/**
 * V3 tool input is JSON text. Arguments that were not JSON (`inputError`) go on as the model
 * wrote them, so the AI SDK reports its own invalid-input error for that call and can repair it.
 */
function toV3Input(call: { readonly input: unknown; readonly inputError?: string }): string {
  if (call.inputError !== undefined && typeof call.input === 'string') return call.input;
  return JSON.stringify(call.input ?? {});
}
