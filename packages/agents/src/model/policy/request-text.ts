import { canonicalJson } from '../../canonical/canonical-json.js';
import { jsonString } from '../../canonical/json-string.js';
import type { ModelRequest } from '../model-request.js';

/**
 * What a request means to a model, as text: `canonicalJson` of the conversation, tools and
 * sampling settings, never the signal. `undefined` for a request that has no canonical form.
 *
 * The cache makes this for every answer, so the common request (a system prompt, messages of
 * text parts, numbers and stop strings, no tools) is written directly, in the order
 * `canonicalJson` sorts its keys, without sorting any key; anything else (tools, tool calls,
 * an extra key, a value of an unexpected type) goes to `canonicalJson` itself. A property test
 * holds the two to the same text.
 */
export function requestText(request: ModelRequest): string | undefined {
  try {
    return plainText(request) ?? canonicalJson(canonicalFields(request));
  } catch {
    return undefined;
  }
}

function canonicalFields(request: ModelRequest): Record<string, unknown> {
  return {
    system: request.system,
    messages: request.messages,
    tools: request.tools,
    toolChoice: request.toolChoice,
    maxOutputTokens: request.maxOutputTokens,
    temperature: request.temperature,
    stop: request.stop,
  };
}

/** The prototype of a plain object: the only objects a plain request is written from. */
export const PLAIN = Object.prototype;

/** The canonical text of a request of the common shape; `undefined` for any other. */
function plainText(r: ModelRequest): string | undefined {
  if (r.tools !== undefined) return undefined;
  const choice = r.toolChoice;
  if (choice !== undefined && typeof choice !== 'string') return undefined;
  const messages = r.messages;
  if (!Array.isArray(messages)) return undefined;
  let out = '{';
  if (r.maxOutputTokens !== undefined) {
    const n = numberText(r.maxOutputTokens);
    if (n === undefined) return undefined;
    out += `"maxOutputTokens":${n},`;
  }
  out += '"messages":[';
  for (let i = 0; i < messages.length; i++) {
    const m = messageText(messages[i]);
    if (m === undefined) return undefined;
    out += i === 0 ? m : `,${m}`;
  }
  out += ']';
  const stop = r.stop;
  if (stop !== undefined) {
    if (!Array.isArray(stop)) return undefined;
    out += ',"stop":[';
    for (let i = 0; i < stop.length; i++) {
      const s: unknown = stop[i];
      if (typeof s !== 'string') return undefined;
      out += i === 0 ? jsonString(s) : `,${jsonString(s)}`;
    }
    out += ']';
  }
  if (r.system !== undefined) {
    if (typeof r.system !== 'string') return undefined;
    out += `,"system":${jsonString(r.system)}`;
  }
  if (r.temperature !== undefined) {
    const n = numberText(r.temperature);
    if (n === undefined) return undefined;
    out += `,"temperature":${n}`;
  }
  if (choice !== undefined) out += `,"toolChoice":${jsonString(choice)}`;
  return `${out}}`;
}

function numberText(n: unknown): string | undefined {
  if (typeof n !== 'number' || !Number.isFinite(n)) return undefined;
  return Object.is(n, -0) ? '0' : String(n);
}

/** `{ role, content }` with text parts only, and no other key. */
function messageText(m: unknown): string | undefined {
  if (typeof m !== 'object' || m === null || Object.getPrototypeOf(m) !== PLAIN) return undefined;
  const { role, content } = m as { role?: unknown; content?: unknown };
  if (typeof role !== 'string' || !Array.isArray(content) || keyCount(m) !== 2) return undefined;
  let out = '{"content":[';
  for (let i = 0; i < content.length; i++) {
    const p = partText(content[i]);
    if (p === undefined) return undefined;
    out += i === 0 ? p : `,${p}`;
  }
  return `${out}],"role":${jsonString(role)}}`;
}

/** `{ type: 'text', text }` and no other key. */
function partText(p: unknown): string | undefined {
  if (typeof p !== 'object' || p === null || Object.getPrototypeOf(p) !== PLAIN) return undefined;
  const { type, text } = p as { type?: unknown; text?: unknown };
  if (type !== 'text' || typeof text !== 'string' || keyCount(p) !== 2) return undefined;
  return `{"text":${jsonString(text)},"type":"text"}`;
}

/** Own enumerable keys (a plain object has no enumerable inherited ones), without a list. */
export function keyCount(o: object): number {
  let n = 0;
  for (const _ in o) n++;
  return n;
}
