import type { Attributes } from '@opentelemetry/api';
import { isPid } from '@warden/core';

/**
 * An event's own fields as span attributes: numbers, strings and booleans kept, everything else
 * (objects, pids) described as text, so an event shape added later still shows up.
 */
export function fieldAttributes(
  prefix: string,
  fields: Readonly<Record<string, unknown>>,
  skip: ReadonlySet<string>,
): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(fields)) {
    if (skip.has(key) || value === undefined || value === null) continue;
    const name = `${prefix}.${key}`;
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
      out[name] = value;
    } else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      out[name] = value as string[];
    } else {
      out[name] = describe(value);
    }
  }
  return out;
}

/**
 * A field of a published event as text: a string as it is, `fallback` when absent. Events above
 * the core are untyped, and `String()` throws on an object without a prototype, so nothing here
 * trusts their shape.
 */
export function text(value: unknown, fallback: string): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return describe(value);
}

/** A numeric field of a published event, 0 when it is not a finite number. */
export function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** Any value as short text; never throws (an object without a prototype has no `toString`). */
function describe(value: unknown): string {
  if (isPid(value)) return value.toString();
  try {
    return (JSON.stringify(value) ?? typeof value).slice(0, 200);
  } catch {
    return typeof value;
  }
}

/** The fields every event carries, never worth an attribute. */
export const EVENT_FIELDS: ReadonlySet<string> = new Set(['type', 'time', 'agent', 'threadId']);
