import type { Attributes } from '@opentelemetry/api';

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
      out[name] = String(value);
    }
  }
  return out;
}

/** The fields every event carries, never worth an attribute. */
export const EVENT_FIELDS: ReadonlySet<string> = new Set(['type', 'time', 'agent', 'threadId']);
