import { WardenErrorBase } from '@warden/core';

/**
 * What a durable store refuses, each with a stable code. A store never repairs or overwrites
 * what it cannot read: a corrupted row or a schema it does not know is an error its caller sees,
 * and the data stays as it was for a person (or a newer version of warden) to look at.
 */
export const STORE_ERROR_CODES = [
  /** A row failed its checksum, or does not decode to what the schema says it holds. */
  'ERR_STORE_CORRUPT',
  /** The database was written by a newer schema than this code knows. */
  'ERR_STORE_SCHEMA',
  /** The store was closed; nothing more is read or written through it. */
  'ERR_STORE_CLOSED',
  /** The database could not be reached or refused the operation (connection, I/O, lock timeout). */
  'ERR_STORE_UNAVAILABLE',
  /** A lease this writer held was taken over (its fencing token is stale): the write is refused. */
  'ERR_FENCED',
  /** A record over the store's size limit (a message, a tool result, a dead letter). */
  'ERR_RECORD_TOO_LARGE',
  /** A value JSON cannot carry (a cycle, a bigint): refused before anything is written. */
  'ERR_NOT_JSON',
  /** A store option failed validation; `field` names it. */
  'ERR_INVALID_OPTION',
] as const;

export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

export interface StoreErrorData {
  readonly _tag: 'StoreError';
  readonly code: StoreErrorCode;
  readonly message: string;
  readonly detail?: unknown;
}

export class StoreError extends WardenErrorBase {
  readonly _tag = 'StoreError' as const;
  readonly code: StoreErrorCode;
  /** Where: the table and key of a corrupted row, the versions of a schema mismatch, ... */
  readonly detail: unknown;
  readonly field: string | undefined;

  constructor(
    code: StoreErrorCode,
    message: string,
    extra: { detail?: unknown; field?: string; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'StoreError';
    this.code = code;
    this.detail = extra.detail;
    this.field = extra.field;
  }

  override toJSON(): StoreErrorData {
    return {
      _tag: this._tag,
      code: this.code,
      message: this.message,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
    };
  }
}

export function isStoreError(value: unknown, code?: StoreErrorCode): value is StoreError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { _tag?: unknown; code?: unknown };
  return v._tag === 'StoreError' && (code === undefined || v.code === code);
}
