import type { ModelRequest } from '../model-request.js';
import { keyCount, PLAIN } from './request-text.js';

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
