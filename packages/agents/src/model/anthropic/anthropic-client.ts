import {
  type HttpClientOptions,
  invalidOption,
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
import { parseAnthropicMessage } from './anthropic-api-types.js';
import { AnthropicStreamState } from './anthropic-stream-state.js';
import { convertToAnthropicMessages } from './convert-to-anthropic-messages.js';
import { prepareAnthropicTools } from './prepare-anthropic-tools.js';

export interface AnthropicClientOptions extends HttpClientOptions {
  /** `max_tokens` when a request sets no `maxOutputTokens` (the API requires one). */
  readonly maxOutputTokens?: number;
}

export const ANTHROPIC_DEFAULTS = Object.freeze({
  baseUrl: 'https://api.anthropic.com/v1',
  provider: 'anthropic',
  version: '2023-06-01',
  maxOutputTokens: 4096,
});

function requestBody(
  options: ResolvedHttpClientOptions,
  maxOutputTokens: number,
  request: ModelRequest,
  stream: boolean,
): Record<string, unknown> {
  const labels: WireLabels = { provider: options.provider, model: options.model };
  return {
    model: options.model,
    max_tokens: request.maxOutputTokens ?? maxOutputTokens,
    ...(request.system === undefined || request.system === '' ? {} : { system: request.system }),
    messages: convertToAnthropicMessages(labels, request.messages),
    ...prepareAnthropicTools(request.tools, request.toolChoice),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.stop === undefined || request.stop.length === 0
      ? {}
      : { stop_sequences: request.stop }),
    ...(stream ? { stream: true } : {}),
  };
}

/**
 * A client for Anthropic's Messages API (`POST {baseUrl}/messages`, `anthropic-version:
 * 2023-06-01`), over fetch: the system prompt apart, tool calls as `tool_use` / `tool_result`
 * blocks, usage with the cache counters, streaming events including an `error` event after a
 * 200. Every failure is a classified `ModelCallError` (529 `overloaded`), every call has a
 * deadline on the node's clock, and the request's signal aborts the HTTP request.
 */
export function createAnthropicClient(options: AnthropicClientOptions): ModelClient {
  const resolved = resolveHttpClientOptions(options, ANTHROPIC_DEFAULTS);
  const maxOutputTokens = options.maxOutputTokens ?? ANTHROPIC_DEFAULTS.maxOutputTokens;
  if (!Number.isInteger(maxOutputTokens) || maxOutputTokens <= 0) {
    throw invalidOption('maxOutputTokens', maxOutputTokens, 'an integer > 0');
  }
  const labels: WireLabels = { provider: resolved.provider, model: resolved.model };
  const exchange = (request: ModelRequest, stream: boolean): ExchangeRequest => ({
    options: resolved,
    path: '/messages',
    headers: { 'x-api-key': resolved.apiKey, 'anthropic-version': ANTHROPIC_DEFAULTS.version },
    body: requestBody(resolved, maxOutputTokens, request, stream),
    signal: request.signal,
  });
  return {
    provider: resolved.provider,
    model: resolved.model,
    async generate(request: ModelRequest): Promise<ModelResponse> {
      return exchangeJson(exchange(request, false), (value) =>
        parseAnthropicMessage(labels, value),
      );
    },
    stream(request: ModelRequest): AsyncIterable<StreamEvent> {
      return streamEvents(
        () => exchangeSse(exchange(request, true)),
        new AnthropicStreamState(labels),
      );
    },
  };
}
