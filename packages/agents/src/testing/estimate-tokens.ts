import type { Message, Part } from '../model/message.js';
import type { ModelRequest } from '../model/model-request.js';

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

function messageTokens(message: Message): number {
  let n = PER_MESSAGE;
  for (const part of message.content) n += partTokens(part);
  return n;
}

/**
 * The scripted model's count of a request's input: system prompt, messages and tool schemas.
 * Deterministic and cheap, not a tokenizer: a test sets `contextWindow` against this count.
 */
export function estimateInputTokens(request: ModelRequest): number {
  let n = request.system === undefined ? 0 : estimateTextTokens(request.system) + PER_MESSAGE;
  for (const message of request.messages) n += messageTokens(message);
  for (const tool of request.tools ?? []) {
    n += estimateTextTokens(tool.name) + estimateTextTokens(tool.description ?? '');
    n += estimateTextTokens(JSON.stringify(tool.inputSchema));
  }
  return n;
}
