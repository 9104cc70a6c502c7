import { describeValue } from './errors.js';

/**
 * Builds the error a package raises for a bad option: each package keeps its own class and code
 * (`ERR_INVALID_OPTION`, `ERR_INVALID_ARGUMENT`, ...), the checks only decide what is bad.
 */
export type InvalidOption = (field: string, value: unknown, expected: string) => Error;

/**
 * The small validators every package checks its options with. Each returns the value when it is
 * good and throws the package's own error, naming the field, the bad value and what was expected,
 * otherwise. One set of rules, so that `retry({ baseMs: -1 })` and `new CircuitBreaker({ ... })`
 * say the same thing in the same words.
 */
export interface OptionChecks {
  /** The package's error for `field`, for rules that span fields (`maxMs >= initialMs`). */
  readonly invalid: InvalidOption;
  /** An integer >= `min`; `Infinity` too when `infinite`. */
  int(field: string, value: unknown, min: number, infinite?: boolean): number;
  /** A finite number >= `min` (> `min` when `exclusive`). */
  number(field: string, value: unknown, min: number, exclusive?: boolean): number;
  /** A fraction in (0, 1]: a failure rate, a share. */
  rate(field: string, value: unknown): number;
  /** A fraction in [0, 1]. */
  fraction(field: string, value: unknown): number;
  oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T;
  fn<F>(field: string, value: F): F;
  optionalFn<F>(field: string, value: unknown): F | undefined;
  /** A non-empty string. */
  name(field: string, value: unknown): string;
  optionalString(field: string, value: unknown): string | undefined;
  boolean(field: string, value: unknown): boolean;
  /** A plain object: not null, not an array. */
  record<T extends object>(field: string, value: unknown): T;
  /** An AbortSignal, or undefined. */
  signal(field: string, value: unknown): AbortSignal | undefined;
  /** A clock: `now`, `setTimer`, `clearTimer`. */
  clock<C>(field: string, value: C): C;
}

/** The checks, raising the errors `invalid` builds. */
export function optionChecks(invalid: InvalidOption): OptionChecks {
  return {
    invalid,
    int(field, value, min, infinite = false) {
      if (infinite && value === Number.POSITIVE_INFINITY) return value;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
        throw invalid(field, value, `an integer >= ${min}${infinite ? ' or Infinity' : ''}`);
      }
      return value;
    },
    number(field, value, min, exclusive = false) {
      const ok =
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (exclusive ? value > min : value >= min);
      if (!ok) throw invalid(field, value, `a finite number ${exclusive ? '>' : '>='} ${min}`);
      return value as number;
    },
    rate(field, value) {
      if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
        throw invalid(field, value, 'a number in (0, 1]');
      }
      return value;
    },
    fraction(field, value) {
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
        throw invalid(field, value, 'a number in [0, 1]');
      }
      return value;
    },
    oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
      if (!allowed.includes(value as T)) {
        throw invalid(field, value, allowed.map((a) => `'${a}'`).join(' | '));
      }
      return value as T;
    },
    fn(field, value) {
      if (typeof value !== 'function') throw invalid(field, value, 'a function');
      return value;
    },
    optionalFn<F>(field: string, value: unknown): F | undefined {
      if (value !== undefined && typeof value !== 'function') {
        throw invalid(field, value, 'a function');
      }
      return value as F | undefined;
    },
    name(field, value) {
      if (typeof value !== 'string' || value.length === 0) {
        throw invalid(field, value, 'a non-empty string');
      }
      return value;
    },
    optionalString(field, value) {
      if (value !== undefined && typeof value !== 'string') {
        throw invalid(field, value, 'a string or undefined');
      }
      return value;
    },
    boolean(field, value) {
      if (typeof value !== 'boolean') throw invalid(field, value, 'a boolean');
      return value;
    },
    record<T extends object>(field: string, value: unknown): T {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw invalid(field, value, 'an object');
      }
      return value as T;
    },
    signal(field, value) {
      if (value !== undefined && !(value instanceof AbortSignal)) {
        throw invalid(field, value, 'an AbortSignal or undefined');
      }
      return value;
    },
    clock(field, value) {
      const c = value as { now?: unknown; setTimer?: unknown; clearTimer?: unknown } | undefined;
      if (
        typeof c !== 'object' ||
        c === null ||
        typeof c.now !== 'function' ||
        typeof c.setTimer !== 'function' ||
        typeof c.clearTimer !== 'function'
      ) {
        throw invalid(field, value, 'a Clock (now, setTimer, clearTimer)');
      }
      return value;
    },
  };
}

/** The message every package's invalid-option error carries. */
export function invalidMessage(field: string, value: unknown, expected: string): string {
  return `invalid ${field}: ${describeValue(value)} (expected ${expected})`;
}
