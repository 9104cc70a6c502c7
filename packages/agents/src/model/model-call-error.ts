import { WardenErrorBase } from '@warden/core';

/**
 * The closed taxonomy of model-call failures. A client classifies once, at the edge, from the
 * status, the headers and the error body; everything above it (retry, rate limits, breakers, the
 * degradation ladder, the agent runtime) decides by `kind` alone.
 */
export const MODEL_ERROR_KINDS = [
  'rate_limited',
  'quota_exhausted',
  'overloaded',
  'server',
  'timeout',
  'network',
  'auth',
  'bad_request',
  'context_length',
  'content_filter',
  'unknown',
] as const;

export type ModelErrorKind = (typeof MODEL_ERROR_KINDS)[number];

/** Kinds worth another attempt of the same request (after a wait). */
const RETRYABLE: ReadonlySet<ModelErrorKind> = new Set([
  'rate_limited',
  'overloaded',
  'server',
  'timeout',
  'network',
]);

export function isRetryableKind(kind: ModelErrorKind): boolean {
  return RETRYABLE.has(kind);
}

/** The wire shape: what survives serialisation across nodes. */
export interface ModelCallErrorData {
  readonly _tag: 'ModelCallError';
  readonly code: 'ERR_MODEL_CALL';
  readonly kind: ModelErrorKind;
  readonly message: string;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly providerCode?: string;
  readonly provider?: string;
  readonly model?: string;
}

export interface ModelCallErrorInit {
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly providerCode?: string;
  readonly provider?: string;
  readonly model?: string;
  /** Overrides the kind's default (a provider may say an otherwise transient error is final). */
  readonly retryable?: boolean;
  readonly cause?: unknown;
}

export class ModelCallError extends WardenErrorBase {
  readonly _tag = 'ModelCallError' as const;
  readonly code = 'ERR_MODEL_CALL' as const;
  readonly kind: ModelErrorKind;
  /** The HTTP status, when there was a response. */
  readonly status: number | undefined;
  /** From `retry-after-ms` or `Retry-After` (seconds or an HTTP date), in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** The provider's own error code or type (`rate_limit_exceeded`, `overloaded_error`, ...). */
  readonly providerCode: string | undefined;
  readonly provider: string | undefined;
  readonly model: string | undefined;
  readonly retryable: boolean;

  constructor(kind: ModelErrorKind, message: string, init: ModelCallErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ModelCallError';
    this.kind = kind;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.providerCode = init.providerCode;
    this.provider = init.provider;
    this.model = init.model;
    this.retryable = init.retryable ?? isRetryableKind(kind);
  }

  override toJSON(): ModelCallErrorData {
    return {
      _tag: this._tag,
      code: this.code,
      kind: this.kind,
      message: this.message,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
      ...(this.providerCode === undefined ? {} : { providerCode: this.providerCode }),
      ...(this.provider === undefined ? {} : { provider: this.provider }),
      ...(this.model === undefined ? {} : { model: this.model }),
    };
  }
}

/** Recognises a `ModelCallError`, also one that crossed a realm or the wire. */
export function isModelCallError(value: unknown, kind?: ModelErrorKind): value is ModelCallError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { _tag?: unknown; kind?: unknown };
  return v._tag === 'ModelCallError' && (kind === undefined || v.kind === kind);
}
