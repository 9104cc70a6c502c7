import type { WireLabels } from '../internal/wire-check.js';
import type { Message, Part } from '../message.js';
import { ModelCallError } from '../model-call-error.js';

function isResult(block: unknown): boolean {
  return (block as { type?: unknown }).type === 'tool_result';
}

interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: unknown[];
}

function block(labels: WireLabels, role: string, part: Part): unknown {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text };
    case 'tool-call':
      if (role !== 'assistant') {
        throw new ModelCallError(
          'bad_request',
          `${labels.provider}: a ${role} message cannot hold a tool call`,
          labels,
        );
      }
      return {
        type: 'tool_use',
        id: part.callId,
        name: part.name,
        // Anthropic takes an object; arguments that never parsed cannot be sent back as one.
        input:
          part.inputError === undefined && typeof part.input === 'object' && part.input !== null
            ? part.input
            : {},
      };
    case 'tool-result':
      return {
        type: 'tool_result',
        tool_use_id: part.callId,
        content:
          typeof part.output === 'string' ? part.output : (JSON.stringify(part.output) ?? 'null'),
        ...(part.isError === true ? { is_error: true } : {}),
      };
  }
}

/**
 * Our conversation as Messages API turns: tool results travel in `user` turns as `tool_result`
 * blocks, tool calls in `assistant` turns as `tool_use` blocks, and consecutive turns of one role
 * are merged (the API wants user and assistant to alternate). The system prompt is not a message
 * here: the client sends it apart.
 */
export function convertToAnthropicMessages(
  labels: WireLabels,
  messages: readonly Message[],
): AnthropicMessage[] {
  const wire: AnthropicMessage[] = [];
  for (const message of messages) {
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const blocks = message.content
      .filter((p) => p.type !== 'text' || p.text !== '')
      .map((p) => block(labels, message.role, p));
    if (blocks.length === 0) continue;
    const last = wire[wire.length - 1];
    if (last !== undefined && last.role === role) last.content.push(...blocks);
    else wire.push({ role, content: blocks });
  }
  // Tool results lead their turn, as the API asks (the sort is stable: order is kept otherwise).
  for (const turn of wire) {
    if (turn.role === 'user')
      turn.content.sort((a, b) => Number(isResult(b)) - Number(isResult(a)));
  }
  return wire;
}
