import type { WireLabels } from '../internal/wire-check.js';
import type { Message, Part } from '../message.js';
import { ModelCallError } from '../model-call-error.js';

type OpenAIMessage = Readonly<Record<string, unknown>>;

/** A tool result's output as the text chat completions carries. */
function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  return JSON.stringify(output) ?? 'null';
}

function refuse(labels: WireLabels, message: string): ModelCallError {
  return new ModelCallError('bad_request', `${labels.provider}: ${message}`, labels);
}

function textOf(parts: readonly Part[]): string {
  let text = '';
  for (const part of parts) if (part.type === 'text') text += part.text;
  return text;
}

/**
 * Our conversation as chat completions messages: the system prompt first, each tool result as a
 * `tool` message of its own (whatever role carried it), an assistant's tool calls as
 * `tool_calls` with their input re-encoded as a JSON string. A tool call outside an assistant
 * message is a `bad_request` raised before anything is sent.
 */
export function convertToOpenAIMessages(
  labels: WireLabels,
  system: string | undefined,
  messages: readonly Message[],
): OpenAIMessage[] {
  const wire: OpenAIMessage[] = [];
  if (system !== undefined && system !== '') wire.push({ role: 'system', content: system });
  for (const message of messages) {
    const results = message.content.filter((p) => p.type === 'tool-result');
    if (message.role === 'assistant') {
      const calls = message.content.flatMap((part) =>
        part.type === 'tool-call'
          ? [
              {
                id: part.callId,
                type: 'function',
                function: {
                  name: part.name,
                  arguments:
                    part.inputError !== undefined && typeof part.input === 'string'
                      ? part.input
                      : JSON.stringify(part.input ?? {}),
                },
              },
            ]
          : [],
      );
      const text = textOf(message.content);
      wire.push({
        role: 'assistant',
        content: text === '' && calls.length > 0 ? null : text,
        ...(calls.length === 0 ? {} : { tool_calls: calls }),
      });
      if (results.length > 0)
        throw refuse(labels, 'an assistant message cannot hold a tool result');
      continue;
    }
    if (message.content.some((p) => p.type === 'tool-call')) {
      throw refuse(labels, `a ${message.role} message cannot hold a tool call`);
    }
    // Tool results first: chat completions wants them right after the assistant's calls.
    for (const result of results) {
      wire.push({ role: 'tool', tool_call_id: result.callId, content: outputText(result.output) });
    }
    const text = textOf(message.content);
    if (text !== '' || results.length === 0) wire.push({ role: 'user', content: text });
  }
  return wire;
}
