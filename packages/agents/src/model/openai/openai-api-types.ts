import { classifyHttpError } from '../classify-error.js';
import {
  isWire,
  optionalCount,
  optionalString,
  type Wire,
  type WireLabels,
  wireArray,
  wireObject,
  wireString,
} from '../internal/wire-check.js';
import type { Part } from '../message.js';
import type { ModelResponse } from '../model-response.js';
import { parseToolInput } from '../parse-tool-input.js';
import type { Usage } from '../usage.js';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.js';

/**
 * Chat completions' usage in ours. `prompt_tokens` already includes the cached tokens
 * (`prompt_tokens_details.cached_tokens`), and `completion_tokens` the reasoning tokens.
 */
export function mapOpenAIUsage(labels: WireLabels, value: unknown): Usage {
  if (value === undefined || value === null) return { inputTokens: 0, outputTokens: 0 };
  const usage = wireObject(labels, value, 'usage');
  const prompt = isWire(usage.prompt_tokens_details) ? usage.prompt_tokens_details : undefined;
  const completion = isWire(usage.completion_tokens_details)
    ? usage.completion_tokens_details
    : undefined;
  const cached = optionalCount(
    labels,
    prompt?.cached_tokens,
    'usage.prompt_tokens_details.cached_tokens',
  );
  const reasoning = optionalCount(
    labels,
    completion?.reasoning_tokens,
    'usage.completion_tokens_details.reasoning_tokens',
  );
  return {
    inputTokens: optionalCount(labels, usage.prompt_tokens, 'usage.prompt_tokens') ?? 0,
    outputTokens: optionalCount(labels, usage.completion_tokens, 'usage.completion_tokens') ?? 0,
    ...(cached === undefined ? {} : { cacheReadTokens: cached }),
    ...(reasoning === undefined ? {} : { reasoningTokens: reasoning }),
  };
}

function toolCall(labels: WireLabels, value: unknown, path: string): Part {
  const call = wireObject(labels, value, path);
  const fn = wireObject(labels, call.function, `${path}.function`);
  const parsed = parseToolInput(
    optionalString(labels, fn.arguments, `${path}.function.arguments`) ?? '',
  );
  return {
    type: 'tool-call',
    callId: wireString(labels, call.id, `${path}.id`),
    name: wireString(labels, fn.name, `${path}.function.name`),
    ...parsed,
  };
}

/** A chat completion, checked field by field, as our response. */
export function parseChatCompletion(labels: WireLabels, value: unknown): ModelResponse {
  const body = wireObject(labels, value, 'the body');
  // Some gateways answer an error with a 200: it is still an error, classified by its body.
  if (isWire(body.error)) throw classifyHttpError({ ...labels, body });
  const choices = wireArray(labels, body.choices, 'choices');
  const choice = wireObject(labels, choices[0], 'choices[0]');
  const message = wireObject(labels, choice.message, 'choices[0].message');
  const content: Part[] = [];
  const text = optionalString(labels, message.content, 'choices[0].message.content');
  const refusal = optionalString(labels, message.refusal, 'choices[0].message.refusal');
  if (text !== undefined && text !== '') content.push({ type: 'text', text });
  if (refusal !== undefined && refusal !== '') content.push({ type: 'text', text: refusal });
  if (message.tool_calls !== undefined && message.tool_calls !== null) {
    const calls = wireArray(labels, message.tool_calls, 'choices[0].message.tool_calls');
    calls.forEach((call, i) => {
      content.push(toolCall(labels, call, `choices[0].message.tool_calls[${i}]`));
    });
  }
  const reason = optionalString(labels, choice.finish_reason, 'choices[0].finish_reason');
  const id = optionalString(labels, body.id, 'id');
  return {
    content,
    finishReason:
      refusal !== undefined && refusal !== '' ? 'content-filter' : mapOpenAIFinishReason(reason),
    usage: mapOpenAIUsage(labels, body.usage),
    model: optionalString(labels, body.model, 'model') ?? labels.model,
    ...(id === undefined ? {} : { responseId: id }),
  };
}

/** A streamed chunk: checked for the fields the stream reads, nothing more. */
export function readOpenAIChunk(labels: WireLabels, value: unknown): Wire {
  const chunk = wireObject(labels, value, 'a stream chunk');
  if (chunk.choices !== undefined && chunk.choices !== null) {
    wireArray(labels, chunk.choices, 'a stream chunk.choices');
  }
  return chunk;
}
