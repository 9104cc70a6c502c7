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
