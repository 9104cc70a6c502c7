import { invalidOption } from '../errors.js';

/**
 * The small `validX` checks of option validators: each returns the value when it is good and
 * throws `ERR_INVALID_OPTION` naming the field otherwise. `undefined` means "use the default".
 */
export function integerAtLeast(field: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalidOption(field, value, `an integer >= ${min}`);
  }
  return value;
}

export function finiteAtLeast(field: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw invalidOption(field, value, `a finite number >= ${min}`);
  }
  return value;
}

export function finitePositive(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalidOption(field, value, 'a finite number > 0');
  }
  return value;
}

/** A fraction in (0, 1]: a failure rate. */
export function rate(field: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    throw invalidOption(field, value, 'a number in (0, 1]');
  }
  return value;
}

export function optionalFunction<F>(field: string, value: unknown): F | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw invalidOption(field, value, 'a function');
  }
  return value as F | undefined;
}

export function plainObject(field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidOption(field, value, 'an object');
  }
  return value as Record<string, unknown>;
}
