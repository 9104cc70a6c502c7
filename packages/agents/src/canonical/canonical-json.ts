import { hash } from 'node:crypto';
import { AgentError } from '../agent/agent-error.js';
import { jsonString } from './json-string.js';

/** Thrown for a value that has no canonical form (a cycle, a function, a non-finite number, ...). */
export class CanonicalFormError extends AgentError {
  /** A JSON-pointer-like path to the offending value (`/args/0/limit`). */
  readonly path: string;

  constructor(path: string, message: string) {
    super('ERR_NOT_CANONICAL', `${message} at ${path === '' ? '(root)' : path}`, {
      detail: { path },
    });
    this.name = 'CanonicalFormError';
    this.path = path;
  }
}

/** Bounds what is hashed: arguments come from a model and are untrusted. */
const MAX_DEPTH = 64;

/**
 * The one canonical text of a JSON-like value: object keys sorted by code unit, `-0` written as
 * `0`, `undefined` members left out (as JSON does), no whitespace. Two argument objects that mean
 * the same thing to a tool get the same text, whatever order a model wrote their keys in; so the
 * loop guard, approval bindings and idempotency keys all compare calls through this function.
 *
 * Refuses (with `CanonicalFormError`) what JSON cannot carry faithfully: cycles, functions,
 * symbols, bigints, non-finite numbers, and nesting deeper than 64.
 */
export function canonicalJson(value: unknown): string {
  try {
    return text(value, 0);
  } catch {
    // The value has no canonical form (or a getter threw): the writer that tracks paths and
    // cycles says exactly why, as it always has.
    const parts: string[] = [];
    write(value, parts, '', 0, new Set());
    return parts.join('');
  }
}

/** SHA-256 (hex) of `canonicalJson(value)`. */
export function canonicalHash(value: unknown): string {
  return hash('sha256', canonicalJson(value), 'hex');
}

/** Thrown by `text` for anything it does not write; `canonicalJson` then asks `write` why. */
const NO_FORM = Symbol('no canonical form');

/**
 * The canonical text of a value that has one, written the way `write` writes it, without the
 * path and cycle bookkeeping that only an error needs: a cycle nests past `MAX_DEPTH` and throws
 * like anything else without a form. On the path of every tool call (idempotency key, loop
 * guard), so it builds one string rather than a list of parts.
 */
function text(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw NO_FORM;
  switch (typeof value) {
    case 'string':
      return jsonString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw NO_FORM;
      return Object.is(value, -0) ? '0' : String(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (i > 0) out += ',';
          out += item === undefined ? 'null' : text(item, depth + 1);
        }
        return `${out}]`;
      }
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw NO_FORM;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const member = record[key];
        if (member === undefined) continue;
        if (!first) out += ',';
        first = false;
        out += `${jsonString(key)}:${text(member, depth + 1)}`;
      }
      return `${out}}`;
    }
    default:
      throw NO_FORM;
  }
}

function write(
  value: unknown,
  out: string[],
  path: string,
  depth: number,
  seen: Set<object>,
): void {
  if (depth > MAX_DEPTH) throw new CanonicalFormError(path, `nesting deeper than ${MAX_DEPTH}`);
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalFormError(path, `non-finite number ${value}`);
      out.push(Object.is(value, -0) ? '0' : JSON.stringify(value));
      return;
    case 'object':
      if (value === null) {
        out.push('null');
        return;
      }
      if (seen.has(value)) throw new CanonicalFormError(path, 'cycle');
      seen.add(value);
      if (Array.isArray(value)) writeArray(value, out, path, depth, seen);
      else writeObject(value as Record<string, unknown>, out, path, depth, seen);
      seen.delete(value);
      return;
    default:
      throw new CanonicalFormError(path, `${typeof value} has no JSON form`);
  }
}

function writeArray(
  value: readonly unknown[],
  out: string[],
  path: string,
  depth: number,
  seen: Set<object>,
): void {
  out.push('[');
  for (let i = 0; i < value.length; i++) {
    if (i > 0) out.push(',');
    const item = value[i];
    // As JSON.stringify: a hole or undefined in an array is null, so positions keep their meaning.
    if (item === undefined) out.push('null');
    else write(item, out, `${path}/${i}`, depth + 1, seen);
  }
  out.push(']');
}

function writeObject(
  value: Record<string, unknown>,
  out: string[],
  path: string,
  depth: number,
  seen: Set<object>,
): void {
  if (value instanceof Date) {
    out.push(JSON.stringify(value.toISOString()));
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new CanonicalFormError(path, 'not a plain object');
  }
  const keys = Object.keys(value).sort();
  out.push('{');
  let first = true;
  for (const key of keys) {
    const member = value[key];
    if (member === undefined) continue;
    if (!first) out.push(',');
    first = false;
    out.push(JSON.stringify(key), ':');
    write(member, out, `${path}/${key}`, depth + 1, seen);
  }
  out.push('}');
}
