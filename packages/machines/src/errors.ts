import { invalidMessage, WardenErrorBase } from '@warden/core';
/**
 * Every error `@warden/machines` raises carries a stable `code` from this closed table. Codes are
 * the contract: messages may change, codes never do. docs/patterns/circuit-breaker.md lists them.
 */
export const MACHINES_ERROR_CODES = [
  'ERR_INVALID_OPTION',
  'ERR_INVALID_SNAPSHOT',
  'ERR_BREAKER_OPEN',
  'ERR_BREAKER_ISOLATED',
  'ERR_BREAKER_TIMEOUT',
] as const;

export type MachinesErrorCode = (typeof MACHINES_ERROR_CODES)[number];

/** The wire shape of an error: what survives serialisation across nodes. */
export interface MachinesErrorData {
  readonly _tag: 'MachinesError';
  readonly code: MachinesErrorCode;
  readonly message: string;
  readonly field?: string;
  readonly retryAt?: number;
}

/**
 * The one error class of the package, branded with `_tag` so that `isMachinesError` also works on
 * values that crossed a realm or the wire, where `instanceof` would not; its base gives it the
 * brand core's `isWardenError` recognises too.
 */
export class MachinesError extends WardenErrorBase {
  readonly _tag = 'MachinesError' as const;
  readonly code: MachinesErrorCode;
  /** For `ERR_INVALID_*`: the name of the offending field (`failure.threshold`, ...). */
  readonly field: string | undefined;
  /** For `ERR_BREAKER_OPEN`: when (node clock, ms) the breaker lets the next probe through. */
  readonly retryAt: number | undefined;

  constructor(
    code: MachinesErrorCode,
    message: string,
    extra: { field?: string; retryAt?: number; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'MachinesError';
    this.code = code;
    this.field = extra.field;
    this.retryAt = extra.retryAt;
  }

  /** Revives an error from its wire shape (a breaker actor's denial, say). */
  static fromJSON(data: MachinesErrorData): MachinesError {
    const extra: { field?: string; retryAt?: number } = {};
    if (data.field !== undefined) extra.field = data.field;
    if (data.retryAt !== undefined) extra.retryAt = data.retryAt;
    return new MachinesError(data.code, data.message, extra);
  }

  override toJSON(): MachinesErrorData {
    const data: { -readonly [K in keyof MachinesErrorData]: MachinesErrorData[K] } = {
      _tag: this._tag,
      code: this.code,
      message: this.message,
    };
    if (this.field !== undefined) data.field = this.field;
    if (this.retryAt !== undefined) data.retryAt = this.retryAt;
    return data;
  }
}

export function isMachinesError(value: unknown, code?: MachinesErrorCode): value is MachinesError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { _tag?: unknown; code?: unknown };
  return v._tag === 'MachinesError' && (code === undefined || v.code === code);
}

/** An `ERR_INVALID_OPTION` naming the field, the bad value and what was expected. */
export function invalidOption(field: string, value: unknown, expected: string): MachinesError {
  return new MachinesError('ERR_INVALID_OPTION', invalidMessage(field, value, expected), { field });
}
