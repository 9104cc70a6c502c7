import { optionChecks } from '@warden/core';
import { invalidOption } from '../errors.js';

/**
 * Core's shared validators, raising `ERR_INVALID_OPTION` as a `MachinesError` naming the field.
 * Each returns the value when it is good. `undefined` means "use the default" to their callers.
 */
export const checks = optionChecks(invalidOption);

export const integerAtLeast = checks.int;
export const finiteAtLeast = checks.number;
export const rate = checks.rate;
export const plainObject = checks.record<Record<string, unknown>>;
export const optionalFunction = checks.optionalFn;

export function finitePositive(field: string, value: unknown): number {
  return checks.number(field, value, 0, true);
}
