import { describeValue, optionChecks, WardenError } from '@warden/core';

/**
 * The option checks of this package. A bad option is core's `WardenError`
 * `ERR_INVALID_ARGUMENT` naming the field: the package adds no failure of its own that a caller
 * would handle differently.
 */
export const checks = optionChecks(
  (field, value, expected) =>
    new WardenError(
      'ERR_INVALID_ARGUMENT',
      `invalid ${field}: ${describeValue(value)} (expected ${expected})`,
      { field },
    ),
);
