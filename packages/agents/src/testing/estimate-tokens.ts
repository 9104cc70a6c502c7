import type { Message, Part } from '../model/message.js';
import type { ModelRequest, ToolSpec } from '../model/model-request.js';

/** Tokens a message costs beyond its content (role and framing), as providers count roughly. */
const PER_MESSAGE = 4;

/** About four characters a token: close enough for English, and the same every time. */
export function estimateTextTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function partTokens(part: Part): number {
  switch (part.type) {
    case 'text':
      return estimateTextTokens(part.text);
    case 'tool-call':
      return estimateTextTokens(part.name) + estimateTextTokens(JSON.stringify(part.input) ?? '');
    case 'tool-result':
      return estimateTextTokens(part.name) + estimateTextTokens(JSON.stringify(part.output) ?? '');
  }
}

/**
 * Estimates already made, per message and per tool's input schema: an agent sends its whole
 * context with every call, so without them the double's own bookkeeping grew with the context at
 * every step. A schema is kept by its object: a tool's spec is made anew for each agent
 * definition (a test or a simulated run makes many), its JSON Schema once per zod schema. Both
 * are readonly values, so an estimate made once holds.
 */
const messageEstimates = new WeakMap<Message, number>();
const schemaEstimates = new WeakMap<object, number>();

function messageTokens(message: Message): number {
  let n = messageEstimates.get(message);
  if (n === undefined) {
    n = PER_MESSAGE;
    for (const part of message.content) n += partTokens(part);
    messageEstimates.set(message, n);
  }
  return n;
}

function schemaTokens(schema: unknown): number {
  if (typeof schema !== 'object' || schema === null) {
    return estimateTextTokens(JSON.stringify(schema) ?? '');
  }
  let n = schemaEstimates.get(schema);
  if (n === undefined) {
    n = estimateTextTokens(JSON.stringify(schema));
    schemaEstimates.set(schema, n);
  }
  return n;
}

function toolTokens(tool: ToolSpec): number {
  return (
    estimateTextTokens(tool.name) +
    estimateTextTokens(tool.description ?? '') +
    schemaTokens(tool.inputSchema)
  );
}

/**
 * The scripted model's count of a request's input: system prompt, messages and tool schemas.
 * Deterministic and cheap, not a tokenizer: a test sets `contextWindow` against this count.
 */
export function estimateInputTokens(request: ModelRequest): number {
  let n = request.system === undefined ? 0 : estimateTextTokens(request.system) + PER_MESSAGE;
  n += messagesTokens(request.messages);
  for (const tool of request.tools ?? []) n += toolTokens(tool);
  return n;
}

/**
 * The last request's messages and their estimate, per conversation (keyed by its first
 * message): an agent sends its context again with a message or two more at every call, so the
 * estimate goes on from the part it shares with the last one (checked message by message, by
 * identity) instead of looking every message up again. The same sum as message by message.
 */
const conversations = new WeakMap<Message, { messages: readonly Message[]; tokens: number }>();

function messagesTokens(messages: readonly Message[]): number {
  const first = messages[0];
  if (first === undefined) return 0;
  const last = conversations.get(first);
  let n = 0;
  let from = 0;
  if (last !== undefined && last.messages.length <= messages.length) {
    let shared = true;
    for (let i = last.messages.length - 1; i > 0 && shared; i--) {
      shared = last.messages[i] === messages[i];
    }
    if (shared) {
      n = last.tokens;
      from = last.messages.length;
    }
  }
  for (let i = from; i < messages.length; i++) n += messageTokens(messages[i] as Message);
  // A copy: a caller may change its array in place and send it again.
  conversations.set(first, { messages: messages.slice(), tokens: n });
  return n;
}
