import {
  type HttpClientOptions,
  type ResolvedHttpClientOptions,
  resolveHttpClientOptions,
} from '../http-client-options.js';
import { type ExchangeRequest, exchangeJson, exchangeSse } from '../internal/http-exchange.js';
import { streamEvents } from '../internal/stream-events.js';
import type { WireLabels } from '../internal/wire-check.js';
import type { ModelClient } from '../model-client.js';
import type { ModelRequest } from '../model-request.js';
import type { ModelResponse } from '../model-response.js';
import type { StreamEvent } from '../stream-event.js';
import { convertToOpenAIMessages } from './convert-to-openai-messages.js';
import { parseChatCompletion } from './openai-api-types.js';
import { OpenAIStreamState } from './openai-stream-state.js';
import { prepareOpenAITools } from './prepare-openai-tools.js';

export interface OpenAIClientOptions extends HttpClientOptions {
  /**
   * The request field for `maxOutputTokens`. `max_tokens` (the default) is what every
   * OpenAI-compatible server reads; OpenAI's reasoning models want `max_completion_tokens`.
   */
  readonly maxTokensParam?: 'max_tokens' | 'max_completion_tokens';
}

export const OPENAI_DEFAULTS = Object.freeze({
  baseUrl: 'https://api.openai.com/v1',
  provider: 'openai',
  maxTokensParam: 'max_tokens' as const,
});

function requestBody(
  options: ResolvedHttpClientOptions,
  maxTokensParam: string,
  request: ModelRequest,
  stream: boolean,
): Record<string, unknown> {
  const labels: WireLabels = { provider: options.provider, model: options.model };
  return {
    model: options.model,
    messages: convertToOpenAIMessages(labels, request.system, request.messages),
    ...prepareOpenAITools(request.tools, request.toolChoice),
    ...(request.maxOutputTokens === undefined ? {} : { [maxTokensParam]: request.maxOutputTokens }),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.stop === undefined || request.stop.length === 0 ? {} : { stop: request.stop }),
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
}

/**
 * A client for OpenAI's chat completions (`POST {baseUrl}/chat/completions`) and the servers that
 * speak it (vLLM, Ollama, Groq, Together, OpenRouter, Azure's v1 endpoint...), over fetch.
 * Every response is checked before it is believed, every failure is a classified
 * `ModelCallError`, and every call has a deadline on the node's clock (streams also an idle
 * timeout); the request's signal aborts the HTTP request.
 *
 * @example
 * const client = createOpenAIClient({ apiKey, model: 'gpt-4o-mini', clock: node.clock });
 * const answer = await client.generate({ messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] });
 */
export function createOpenAIClient(options: OpenAIClientOptions): ModelClient {
  const resolved = resolveHttpClientOptions(options, OPENAI_DEFAULTS);
  const maxTokensParam = options.maxTokensParam ?? OPENAI_DEFAULTS.maxTokensParam;
  const labels: WireLabels = { provider: resolved.provider, model: resolved.model };
  const exchange = (request: ModelRequest, stream: boolean): ExchangeRequest => ({
    options: resolved,
    path: '/chat/completions',
    headers: { authorization: `Bearer ${resolved.apiKey}` },
    body: requestBody(resolved, maxTokensParam, request, stream),
    signal: request.signal,
  });
  return {
    provider: resolved.provider,
    model: resolved.model,
    async generate(request: ModelRequest): Promise<ModelResponse> {
      return exchangeJson(exchange(request, false), (value) => parseChatCompletion(labels, value));
    },
    stream(request: ModelRequest): AsyncIterable<StreamEvent> {
      return streamEvents(
        () => exchangeSse(exchange(request, true)),
        new OpenAIStreamState(labels),
      );
    },
  };
}
