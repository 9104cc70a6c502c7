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

const PLAIN = Object.prototype;

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
function keyCount(o: object): number {
  let n = 0;
  for (const _ in o) n++;
  return n;
}

/** Marks an absent `stop` among a plain request's leaves (a count marks a present one). */
const NO_STOP = Symbol('no stop');

/**
 * The leaves of a plain request (its strings and numbers, and the count of every list) in the
 * order its canonical text writes them: two plain requests with equal leaves (`===`) have the
 * same canonical text, since the text is written from them alone and the counts make the
 * sequence read back one way only. `undefined` for a request of any other shape. Comparing a
 * request with these costs no text and no hashing: the cache uses it to see that an answer is
 * to the request it stored last.
 */
export function plainLeaves(r: ModelRequest): unknown[] | undefined {
  const out: unknown[] = [];
  return walk(r, out, undefined) ? out : undefined;
}

/** Whether `r` is a plain request with exactly these leaves (then its text is theirs). */
export function hasLeaves(r: ModelRequest, leaves: readonly unknown[]): boolean {
  return walk(r, undefined, leaves);
}

// The walk's state, module-wide: the walk is synchronous and calls nothing that could re-enter it.
let into: unknown[] | undefined;
let against: readonly unknown[] | undefined;
let at = 0;

/** A leaf: written to `into`, or compared with the next of `against`. */
function leaf(value: unknown): boolean {
  if (into !== undefined) {
    into.push(value);
    return true;
  }
  return (against as readonly unknown[])[at++] === value;
}

/** Walks the leaves of a plain request as `plainText` writes them; false if not plain or unequal. */
function walk(
  r: ModelRequest,
  out: unknown[] | undefined,
  expected: readonly unknown[] | undefined,
): boolean {
  into = out;
  against = expected;
  at = 0;
  try {
    const ok = walkRequest(r);
    return ok && (expected === undefined || at === expected.length);
  } catch {
    return false;
  } finally {
    into = undefined;
    against = undefined;
  }
}

function walkRequest(r: ModelRequest): boolean {
  if (r.tools !== undefined) return false;
  const choice = r.toolChoice;
  if (choice !== undefined && typeof choice !== 'string') return false;
  const messages = r.messages;
  if (!Array.isArray(messages)) return false;
  if (!numberLeaf(r.maxOutputTokens) || !leaf(messages.length)) return false;
  for (let i = 0; i < messages.length; i++) if (!messageLeaves(messages[i])) return false;
  const stop = r.stop;
  if (stop === undefined) {
    if (!leaf(NO_STOP)) return false;
  } else {
    if (!Array.isArray(stop) || !leaf(stop.length)) return false;
    for (let i = 0; i < stop.length; i++) {
      const s: unknown = stop[i];
      if (typeof s !== 'string' || !leaf(s)) return false;
    }
  }
  const system = r.system;
  if (system !== undefined && typeof system !== 'string') return false;
  return leaf(system) && numberLeaf(r.temperature) && leaf(choice);
}

/** `undefined`, or a number `numberText` writes (equal numbers, equal text: -0 and 0 alike). */
function numberLeaf(n: unknown): boolean {
  if (n !== undefined && (typeof n !== 'number' || !Number.isFinite(n))) return false;
  return leaf(n);
}

function messageLeaves(m: unknown): boolean {
  if (typeof m !== 'object' || m === null || Object.getPrototypeOf(m) !== PLAIN) return false;
  const { role, content } = m as { role?: unknown; content?: unknown };
  if (typeof role !== 'string' || !Array.isArray(content) || keyCount(m) !== 2) return false;
  if (!leaf(role) || !leaf(content.length)) return false;
  for (let i = 0; i < content.length; i++) {
    const p: unknown = content[i];
    if (typeof p !== 'object' || p === null || Object.getPrototypeOf(p) !== PLAIN) return false;
    const { type, text } = p as { type?: unknown; text?: unknown };
    if (type !== 'text' || typeof text !== 'string' || keyCount(p) !== 2) return false;
    if (!leaf(text)) return false;
  }
  return true;
}
