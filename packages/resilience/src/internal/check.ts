import { invalidMessage, optionChecks } from '@warden/core';
import { ResilienceError } from '../errors.js';

/** The validation error naming the offending field. */
export function invalidOption(field: string, value: unknown, expected: string): ResilienceError {
  return new ResilienceError('ERR_INVALID_OPTION', invalidMessage(field, value, expected), {
    field,
  });
}

/** Core's shared validators, raising `ERR_INVALID_OPTION` as a `ResilienceError`. */
export const checks = optionChecks(invalidOption);

/** An integer >= min (Infinity allowed when `infinite`). */
export const checkInt = checks.int;
/** A finite number >= min (or > min when `exclusive`). */
export const checkNumber = checks.number;
export const checkFunction = checks.fn;
export const checkOneOf = checks.oneOf;
export const checkName = checks.name;
/** A clock-like object: `now`, `setTimer`, `clearTimer`. */
export const checkClock = checks.clock;
export const checkBoolean = checks.boolean;
/** A string, or undefined (for optional texts such as a reason). */
export const checkOptionalString = checks.optionalString;
/** A plain record (not null, not an array). */
export const checkRecord = checks.record;
/** An AbortSignal, or undefined. */
export const checkSignal = checks.signal;

/** The arguments of a policy's `execute(fn, { signal })`: the work and the caller's signal. */
export function checkExecute(fn: unknown, options: unknown): AbortSignal | undefined {
  checkFunction('fn', fn);
  if (options === undefined) return undefined;
  checkRecord('options', options);
  return checkSignal('signal', (options as { signal?: unknown }).signal);
}
