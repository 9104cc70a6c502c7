import { invalidMessage, WardenErrorBase } from '@warden/core';

/**
 * Every error this package raises is a `WsTransportError` with a stable `code` from this closed
 * table. Codes are the contract: messages may change, codes never do.
 */
export const WS_TRANSPORT_ERROR_CODES = [
  /** `createWsTransport` was called without a secret: there is no default secret. */
  'ERR_NO_SECRET',
  /** The secret is shorter than 32 bytes. */
  'ERR_WEAK_SECRET',
  /** An option failed validation; `field` names it. */
  'ERR_INVALID_OPTION',
  /** `listen` or `connect` before `createNode` attached the transport to a node. */
  'ERR_NOT_ATTACHED',
  /** The transport was closed (or its node stopped). */
  'ERR_CLOSED',
  /** The peer refused our proof, or we refused the peer's (wrong secret, replay, stale clock). */
  'ERR_AUTH_REJECTED',
  /** The peer refused the connection for another reason (blocked, busy, wrong path). */
  'ERR_CONNECT_REFUSED',
  /** The peer already has, or is making, a connection with this node (HTTP 409). */
  'ERR_DUPLICATE',
  /** `connect` did not succeed within its timeout (on the node's clock). */
  'ERR_CONNECT_TIMEOUT',
  /** The address is not `host:port`. */
  'ERR_BAD_ADDRESS',
  /** `connect` reached this very node. */
  'ERR_SELF_CONNECT',
] as const;

export type WsTransportErrorCode = (typeof WS_TRANSPORT_ERROR_CODES)[number];

/** The wire shape: what survives serialisation. */
export interface WsTransportErrorData {
  readonly _tag: 'WsTransportError';
  readonly code: WsTransportErrorCode;
  readonly message: string;
}

/** Extends core's `WardenErrorBase`: `isWardenError` recognises it, also as wire data. */
export class WsTransportError extends WardenErrorBase {
  readonly _tag = 'WsTransportError' as const;
  readonly code: WsTransportErrorCode;
  /** For `ERR_INVALID_OPTION`: the offending field. */
  readonly field: string | undefined;

  constructor(
    code: WsTransportErrorCode,
    message: string,
    extra: { field?: string; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'WsTransportError';
    this.code = code;
    this.field = extra.field;
  }

  override toJSON(): WsTransportErrorData {
    return { _tag: this._tag, code: this.code, message: this.message };
  }
}

/** Works on values that crossed a realm or the wire, where `instanceof` would not. */
export function isWsTransportError(
  value: unknown,
  code?: WsTransportErrorCode,
): value is WsTransportError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { _tag?: unknown; code?: unknown };
  return v._tag === 'WsTransportError' && (code === undefined || v.code === code);
}

/** An `ERR_INVALID_OPTION` naming the field, the bad value and what was expected. */
export function invalidOption(field: string, value: unknown, expected: string): WsTransportError {
  return new WsTransportError('ERR_INVALID_OPTION', invalidMessage(field, value, expected), {
    field,
  });
}
