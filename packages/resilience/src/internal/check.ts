import { describeValue } from '@warden/core';
import { ResilienceError } from '../errors.js';

/** The validation error naming the offending field. */
export function invalidOption(field: string, value: unknown, expected: string): ResilienceError {
  return new ResilienceError(
    'ERR_INVALID_OPTION',
    `invalid ${field}: ${describeValue(value)} (expected ${expected})`,
    { field },
  );
}

/** An integer >= min (Infinity allowed when `infinite`). */
export function checkInt(field: string, value: unknown, min: number, infinite = false): number {
  if (infinite && value === Number.POSITIVE_INFINITY) return value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalidOption(field, value, `an integer >= ${min}${infinite ? ' or Infinity' : ''}`);
  }
  return value;
}

/** A finite number >= min (or > min when `exclusive`). */
export function checkNumber(field: string, value: unknown, min: number, exclusive = false): number {
  const ok =
    typeof value === 'number' && Number.isFinite(value) && (exclusive ? value > min : value >= min);
  if (!ok) throw invalidOption(field, value, `a finite number ${exclusive ? '>' : '>='} ${min}`);
  return value as number;
}

export function checkFunction<F>(field: string, value: F): F {
  if (typeof value !== 'function') throw invalidOption(field, value, 'a function');
  return value;
}

export function checkOneOf<T extends string>(
  field: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (!allowed.includes(value as T)) {
    throw invalidOption(field, value, allowed.map((a) => `'${a}'`).join(' | '));
  }
  return value as T;
}

export function checkName(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidOption(field, value, 'a non-empty string');
  }
  return value;
}

/** A clock-like object: `now`, `setTimer`, `clearTimer`. */
export function checkClock<C>(field: string, value: C): C {
  const c = value as { now?: unknown; setTimer?: unknown; clearTimer?: unknown } | undefined;
  if (
    typeof c !== 'object' ||
    c === null ||
    typeof c.now !== 'function' ||
    typeof c.setTimer !== 'function' ||
    typeof c.clearTimer !== 'function'
  ) {
    throw invalidOption(field, value, 'a Clock (now, setTimer, clearTimer)');
  }
  return value;
}

export function checkBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalidOption(field, value, 'a boolean');
  return value;
}

/** A string, or undefined (for optional texts such as a reason). */
export function checkOptionalString(field: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== 'string') {
    throw invalidOption(field, value, 'a string or undefined');
  }
  return value;
}

/** A plain record (not null, not an array). */
export function checkRecord<T extends object>(field: string, value: unknown): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidOption(field, value, 'an object');
  }
  return value as T;
}

/** An AbortSignal, or undefined. */
export function checkSignal(field: string, value: unknown): AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    throw invalidOption(field, value, 'an AbortSignal or undefined');
  }
  return value;
}

/** The arguments of a policy's `execute(fn, { signal })`: the work and the caller's signal. */
export function checkExecute(fn: unknown, options: unknown): AbortSignal | undefined {
  checkFunction('fn', fn);
  if (options === undefined) return undefined;
  checkRecord('options', options);
  return checkSignal('signal', (options as { signal?: unknown }).signal);
}
