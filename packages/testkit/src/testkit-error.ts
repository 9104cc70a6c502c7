import { WardenErrorBase } from '@warden/core';

/**
 * Every error the testkit raises carries a stable `code` from this closed table, so a test can
 * tell a bad option from a broken invariant without reading messages.
 */
export const TESTKIT_ERROR_CODES = [
  /** An option or a fault failed validation; `field` names it. */
  'ERR_INVALID_OPTION',
  /** A run broke an invariant: the error carries the seed, the path and the timeline. */
  'ERR_INVARIANT_VIOLATED',
  /** The simulated system did not come to rest within the step bound. */
  'ERR_SIMULATION_BOUND',
] as const;

export type TestkitErrorCode = (typeof TESTKIT_ERROR_CODES)[number];

export class TestkitError extends WardenErrorBase {
  readonly _tag = 'TestkitError' as const;
  readonly code: TestkitErrorCode;
  readonly field: string | undefined;

  constructor(code: TestkitErrorCode, message: string, extra: { field?: string } = {}) {
    super(message);
    this.name = 'TestkitError';
    this.code = code;
    this.field = extra.field;
  }
}

export function isTestkitError(value: unknown, code?: TestkitErrorCode): value is TestkitError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { _tag?: unknown; code?: unknown };
  return v._tag === 'TestkitError' && (code === undefined || v.code === code);
}

export function invalidOption(field: string, value: unknown, expected: string): TestkitError {
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  return new TestkitError(
    'ERR_INVALID_OPTION',
    `invalid ${field}: ${shown} (expected ${expected})`,
    {
      field,
    },
  );
}
