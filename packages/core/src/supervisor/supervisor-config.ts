import { isWardenError, type WardenError } from '../errors.js';
import { type NormalizedChildSpec, validateChildSpecs } from './child-spec.js';
import { type SupervisorFlags, validateFlags } from './flags.js';
import type { SupervisorSpec } from './supervisor.js';

/**
 * The codes of a supervisor's configuration errors, OTP's distinct start reasons: a bad flag, a
 * bad child-spec field, a duplicate child id, a simple_one_for_one supervisor without exactly
 * one spec, and two valid values that cannot go together.
 */
export const SUPERVISOR_CONFIG_ERRORS = [
  'ERR_INVALID_FLAGS',
  'ERR_INVALID_CHILD_SPEC',
  'ERR_DUPLICATE_CHILD_ID',
  'ERR_BAD_START_SPEC',
  'ERR_BAD_COMBINATION',
] as const;

export type SupervisorConfigErrorCode = (typeof SUPERVISOR_CONFIG_ERRORS)[number];

/**
 * Checks a supervisor spec exactly as the supervisor's init does (flags first, then the
 * children, as OTP) and returns it normalized. Throws the configuration error, `field` naming
 * the offending field.
 */
export function validateSupervisorSpec(spec: SupervisorSpec): {
  flags: SupervisorFlags;
  children: NormalizedChildSpec[];
} {
  const flags = validateFlags(spec);
  return { flags, children: validateChildSpecs(spec.children, flags) };
}

export function isSupervisorConfigError(value: unknown): value is WardenError {
  return (
    isWardenError(value) &&
    (SUPERVISOR_CONFIG_ERRORS as readonly string[]).includes((value as WardenError).code)
  );
}

/**
 * The configuration error a supervisor's init threw, when that is why its start failed: the
 * start's `ERR_START_FAILED` carries it only as the local cause of its exit reason.
 */
export function configErrorOf(error: unknown): WardenError | undefined {
  if (!isWardenError(error, 'ERR_START_FAILED')) return undefined;
  const reason = error.reason;
  if (typeof reason !== 'object' || reason.tag !== 'error') return undefined;
  return isSupervisorConfigError(reason.cause) ? reason.cause : undefined;
}
