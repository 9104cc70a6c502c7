// Imported, not the global: `Buffer` on Node's global object is a getter, read on every use.
import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
import type { Message, Part, ToolCallPart, ToolResultPart } from '../model/message.js';

/** The BPE encodings warden counts with (gpt-tokenizer's offline tables). */
export type Encoding = 'o200k_base' | 'cl100k_base';

/**
 * Counts tokens offline. Counts for OpenAI models are exact per text; the per-message overhead
 * (role and separators, `MESSAGE_OVERHEAD`) follows OpenAI's chat format. For other providers
 * (Anthropic) the o200k count is an approximation: good enough to decide when to compact,
 * never a figure to bill by.
 */
export interface Tokenizer {
  readonly encoding: Encoding;
  count(text: string): number;
  countPart(part: Part): number;
  countMessage(message: Message): number;
}

/** Tokens a chat format spends on a message beside its content (role, start and end markers). */
export const MESSAGE_OVERHEAD = 4;

/**
 * The encoding of a model by its name: cl100k for the GPT-4 (non-omni) and GPT-3.5 families,
 * o200k for everything else (GPT-4o, GPT-4.1, GPT-5, o-series, and as the approximation for
 * models whose tokenizer is not public).
 */
export function encodingForModel(model: string): Encoding {
  const m = model.toLowerCase();
  if (/^gpt-3\.5|^gpt-4(?!o|\.|-?o)(-|$)/.test(m)) return 'cl100k_base';
  return 'o200k_base';
}

type CountFn = (text: string) => number;

interface EncodingModule {
  countTokens(text: string, options: { disallowedSpecial: Set<string> }): number;
}

const require = createRequire(import.meta.url);
const loaded = new Map<Encoding, Tokenizer>();

/**
 * The tokenizer of an encoding. Its tables (a few megabytes) load on first use, once per process,
 * synchronously: an agent counts its context inside a handler turn, where waiting on an import
 * would stall the turn, and importing `@warden/agents` costs nothing until an agent counts.
 */
export function tokenizerFor(encoding: Encoding = 'o200k_base'): Tokenizer {
  let tokenizer = loaded.get(encoding);
  if (tokenizer === undefined) {
    const mod = require(`gpt-tokenizer/encoding/${encoding}`) as EncodingModule;
    // Special-token text inside user or tool content is ordinary text: never let it throw.
    const none = new Set<string>();
    tokenizer = createTokenizer(encoding, (text) =>
      mod.countTokens(text, { disallowedSpecial: none }),
    );
    loaded.set(encoding, tokenizer);
  }
  return tokenizer;
}

function createTokenizer(encoding: Encoding, count: CountFn): Tokenizer {
  const countPart = (part: Part): number => {
    switch (part.type) {
      case 'text':
        return count(part.text);
      case 'tool-call':
        return count(part.name) + count(jsonText(part.input));
      case 'tool-result':
        return count(part.name) + count(jsonText(part.output));
    }
  };
  return {
    encoding,
    count,
    countPart,
    countMessage(message) {
      let total = MESSAGE_OVERHEAD;
      for (const part of message.content) total += countPart(part);
      return total;
    },
  };
}

/**
 * An upper bound of `countMessage(message)` for any byte-level BPE encoding (o200k, cl100k), got
 * without tokenizing: every token stands for at least one UTF-8 byte, so a text never has more
 * tokens than bytes. Tight for nothing in particular (English runs about 4 bytes a token), but
 * never below the count: what decides against a compaction on it decides as the exact count would.
 * A typical-text ratio such as characters / 3 is no bound: `{"id":3}` is 5 tokens in 8
 * characters, and CJK text runs at a token a character or more.
 */
export function messageTokenBound(message: Message): number {
  let total = MESSAGE_OVERHEAD;
  for (const part of message.content) total += partTokenBound(part);
  return total;
}

/** One part's share of `messageTokenBound`. */
export function partTokenBound(part: Part): number {
  switch (part.type) {
    case 'text':
      return Buffer.byteLength(part.text, 'utf8');
    case 'tool-call':
      return callTokenBound(part, undefined);
    case 'tool-result':
      return resultTokenBound(part, undefined);
  }
  // A part of no known type (a client's malformed content) counts nothing, as it always did.
  return 0;
}

/**
 * A tool call's share of `messageTokenBound`; `bytes`, when the caller has it, is the UTF-8
 * length of the input's JSON text (an agent has the canonical text of a flat input, which has
 * the JSON text's length), so that text is not made again.
 */
export function callTokenBound(part: ToolCallPart, bytes: number | undefined): number {
  return Buffer.byteLength(part.name, 'utf8') + (bytes ?? Buffer.byteLength(jsonText(part.input)));
}

/**
 * A tool result's share of `messageTokenBound`; `text`, when the caller has it, is the text the
 * count reads of the output (the output itself if it is a string, else its JSON), which a tool
 * call's runner made already to bound the output's size: it is not made again.
 */
export function resultTokenBound(part: ToolResultPart, text: string | undefined): number {
  return Buffer.byteLength(part.name, 'utf8') + Buffer.byteLength(text ?? jsonText(part.output));
}

/** An upper bound of `count(text)`: its UTF-8 bytes (see `messageTokenBound`). */
export function textTokenBound(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function jsonText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}
