import type { ExitReason } from './exit-reason.js';
import type { Pid } from './pid.js';
import { WardenErrorBase } from './warden-error-base.js';

export { isWardenError } from './warden-error-base.js';

/**
 * Every error the core raises carries a stable `code` from this closed table. Codes are the
 * contract: messages may change, codes never do. docs/errors.md explains each one.
 */
export const ERROR_CODES = [
  'ERR_CALL_TIMEOUT',
  'ERR_NOPROC',
  'ERR_EXIT',
  'ERR_NODEDOWN',
  'ERR_NODE_STOPPED',
  'ERR_NAME_TAKEN',
  'ERR_BAD_NAME',
  'ERR_INVALID_ARGUMENT',
  'ERR_INVALID_FLAGS',
  'ERR_INVALID_CHILD_SPEC',
  'ERR_DUPLICATE_CHILD_ID',
  'ERR_BAD_START_SPEC',
  'ERR_BAD_COMBINATION',
  'ERR_MAILBOX_FULL',
  'ERR_RECEIVE_TIMEOUT',
  'ERR_POISON_MESSAGE',
  'ERR_ABORTED',
  'ERR_BAD_RETURN',
  'ERR_START_FAILED',
  'ERR_START_TIMEOUT',
  'ERR_STOP_TIMEOUT',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The wire shape of an error: what survives serialisation across nodes. */
export interface ErrorData {
  readonly _tag: 'WardenError';
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * The one error class of the core. Like every package's error it extends `WardenErrorBase`: its
 * `_tag` brand lets `isWardenError` recognise it also after it crossed a realm or the wire,
 * where `instanceof` would not.
 */
export class WardenError extends WardenErrorBase {
  readonly _tag = 'WardenError' as const;
  readonly code: ErrorCode;
  /** For `ERR_INVALID_*`: the name of the offending field. */
  readonly field: string | undefined;
  /** For `ERR_EXIT` and `ERR_START_FAILED`: the exit reason of the process concerned. */
  readonly reason: ExitReason | undefined;
  /** For `ERR_NAME_TAKEN`: the process that holds the name. */
  readonly pid: Pid | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    extra: { field?: string; reason?: ExitReason; pid?: Pid; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'WardenError';
    this.code = code;
    this.field = extra.field;
    this.reason = extra.reason;
    this.pid = extra.pid;
  }

  toJSON(): ErrorData {
    return { _tag: this._tag, code: this.code, message: this.message };
  }
}

/** Throws `ERR_INVALID_ARGUMENT` naming the field unless `ok`. */
export function invalidArgument(field: string, value: unknown, expected: string): WardenError {
  return new WardenError(
    'ERR_INVALID_ARGUMENT',
    `invalid ${field}: ${describeValue(value)} (expected ${expected})`,
    { field },
  );
}

/** A bad value, briefly, for validation messages (strings quoted, long JSON cut at 80). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null)
    return String(value);
  if (typeof value === 'function') return 'a function';
  try {
    const s = JSON.stringify(value);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
