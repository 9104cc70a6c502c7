import { ModelCallError } from '../model-call-error.js';

/**
 * Small readers for provider JSON that check as they read: the wire is never trusted as typed.
 * A wrong shape is a `ModelCallError('server')` naming the path, the provider and the model.
 */
export interface WireLabels {
  readonly provider: string;
  readonly model: string;
}

export type Wire = Readonly<Record<string, unknown>>;

export function wrongShape(labels: WireLabels, path: string, expected: string): ModelCallError {
  return new ModelCallError(
    'server',
    `${labels.provider}: invalid response: ${path} is not ${expected}`,
    labels,
  );
}

export function isWire(value: unknown): value is Wire {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function wireObject(labels: WireLabels, value: unknown, path: string): Wire {
  if (!isWire(value)) throw wrongShape(labels, path, 'an object');
  return value;
}

export function wireArray(labels: WireLabels, value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) throw wrongShape(labels, path, 'an array');
  return value;
}

export function wireString(labels: WireLabels, value: unknown, path: string): string {
  if (typeof value !== 'string') throw wrongShape(labels, path, 'a string');
  return value;
}

/** A string, or undefined when absent or null. */
export function optionalString(
  labels: WireLabels,
  value: unknown,
  path: string,
): string | undefined {
  if (value === undefined || value === null) return undefined;
  return wireString(labels, value, path);
}

/** A token count: absent or null is undefined; anything but a non-negative integer is refused. */
export function optionalCount(
  labels: WireLabels,
  value: unknown,
  path: string,
): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw wrongShape(labels, path, 'a token count');
  }
  return value;
}
