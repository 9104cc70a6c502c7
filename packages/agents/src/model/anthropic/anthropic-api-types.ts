import { classifyHttpError } from '../classify-error.js';
import {
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
import type { Usage } from '../usage.js';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason.js';

/** Anthropic's four counters as read from the wire, before they are summed. */
export interface AnthropicUsageCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/**
 * Reads a `usage` object into `into`, field by field: a streamed `message_delta` carries only
 * the counters that changed, so absent fields keep their earlier values.
 */
export function readAnthropicUsage(
  labels: WireLabels,
  value: unknown,
  into: AnthropicUsageCounts,
): void {
  if (value === undefined || value === null) return;
  const usage = wireObject(labels, value, 'usage');
  into.input = optionalCount(labels, usage.input_tokens, 'usage.input_tokens') ?? into.input;
  into.output = optionalCount(labels, usage.output_tokens, 'usage.output_tokens') ?? into.output;
  into.cacheRead =
    optionalCount(labels, usage.cache_read_input_tokens, 'usage.cache_read_input_tokens') ??
    into.cacheRead;
  into.cacheWrite =
    optionalCount(labels, usage.cache_creation_input_tokens, 'usage.cache_creation_input_tokens') ??
    into.cacheWrite;
}

/**
 * Our usage: Anthropic's `input_tokens` excludes the cached input, so the three input counters
 * are summed into `inputTokens` (as OpenAI counts), and the cache counters kept apart.
 */
export function toUsage(counts: AnthropicUsageCounts): Usage {
  return {
    inputTokens: counts.input + counts.cacheRead + counts.cacheWrite,
    outputTokens: counts.output,
    ...(counts.cacheRead > 0 ? { cacheReadTokens: counts.cacheRead } : {}),
    ...(counts.cacheWrite > 0 ? { cacheWriteTokens: counts.cacheWrite } : {}),
  };
}

function contentBlock(labels: WireLabels, value: unknown, path: string): Part | undefined {
  const block = wireObject(labels, value, path);
  const type = wireString(labels, block.type, `${path}.type`);
  if (type === 'text')
    return { type: 'text', text: wireString(labels, block.text, `${path}.text`) };
  if (type === 'tool_use') {
    return {
      type: 'tool-call',
      callId: wireString(labels, block.id, `${path}.id`),
      name: wireString(labels, block.name, `${path}.name`),
      input: wireObject(labels, block.input, `${path}.input`),
    };
  }
  // Thinking, redacted thinking and server-tool blocks have no place in our parts yet.
  return undefined;
}

/** A Messages API response, checked field by field, as our response. */
export function parseAnthropicMessage(labels: WireLabels, value: unknown): ModelResponse {
  const body = wireObject(labels, value, 'the body');
  // An error body with a 200 (from a proxy in between) is still an error, classified by its body.
  if (body.type === 'error') throw classifyHttpError({ ...labels, body });
  const blocks = wireArray(labels, body.content, 'content');
  const content: Part[] = [];
  blocks.forEach((item, i) => {
    const part = contentBlock(labels, item, `content[${i}]`);
    if (part !== undefined) content.push(part);
  });
  const counts: AnthropicUsageCounts = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  readAnthropicUsage(labels, body.usage, counts);
  const id = optionalString(labels, body.id, 'id');
  return {
    content,
    finishReason: mapAnthropicStopReason(optionalString(labels, body.stop_reason, 'stop_reason')),
    usage: toUsage(counts),
    model: optionalString(labels, body.model, 'model') ?? labels.model,
    ...(id === undefined ? {} : { responseId: id }),
  };
}

/** A streamed event's data: an object with a string `type`. */
export function readAnthropicEvent(labels: WireLabels, data: string): Wire {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    value = undefined;
  }
  const event = wireObject(labels, value, 'a stream event');
  wireString(labels, event.type, 'a stream event.type');
  return event;
}
