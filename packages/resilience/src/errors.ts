import { WardenErrorBase } from '@warden/core';

/**
 * Every error this package raises is a `ResilienceError` with a stable `code` from this closed
 * table. Codes are the contract: messages may change, codes never do. `docs/patterns/*.md` say
 * which piece raises which code.
 */
export const RESILIENCE_ERROR_CODES = [
  /** An option failed validation; `field` names it. */
  'ERR_INVALID_OPTION',
  /** The caller's AbortSignal fired; `cause` is the signal's reason. */
  'ERR_ABORTED',
  /** `timeout(...)`: the work did not finish before its deadline. */
  'ERR_TIMEOUT',
  /** `retry(...)`: every attempt failed with a transient error; `cause` is the last error. */
  'ERR_RETRIES_EXHAUSTED',
  /** `retry(...)`: the overall deadline (or a Retry-After beyond it) ended the retries. */
  'ERR_RETRY_DEADLINE',
  /** `retry(...)`: the shared retry budget denied a retry. */
  'ERR_RETRY_BUDGET',
  /** `Semaphore`: all slots busy and the wait queue full. */
  'ERR_BULKHEAD_FULL',
  /** `TokenBucket`: no token within the allowed wait (or the wait queue is full). */
  'ERR_RATE_LIMITED',
  /** `ResourceMediator`: the named resource was never declared. */
  'ERR_UNKNOWN_RESOURCE',
  /** `ResourceMediator`: the owner already holds (or already waits for) that resource. */
  'ERR_ALREADY_HELD',
  /** `ResourceMediator`: a release of a resource the owner does not hold. */
  'ERR_NOT_HELD',
  /** `ResourceMediator`: no grant within the acquire timeout. */
  'ERR_LOCK_TIMEOUT',
  /** `ResourceMediator`: granting this wait would close a cycle in the wait-for graph. */
  'ERR_DEADLOCK',
  /** A fencing token is stale: its holder lost the lock. */
  'ERR_FENCED',
  /** `spawnOnce`: a child with the same key runs and the policy is `reject`. */
  'ERR_ALREADY_RUNNING',
  /** `spawnOnce`: the task type reached its ceiling of running children. */
  'ERR_CEILING_REACHED',
  /** `spawnOnce`: the supervisor refused to start the child; `cause` holds its answer. */
  'ERR_SPAWN_FAILED',
  /** `DegradationLadder`: the queue level is full, or no level could serve. */
  'ERR_DEGRADED',
  /** `FeatureFlags`: the flag is off. */
  'ERR_FEATURE_DISABLED',
  /** `FeatureFlags`: the flag was never declared. */
  'ERR_UNKNOWN_FLAG',
  /**
   * `DegradationLadder`: its queue store failed; on `put`, the request was refused, not queued.
   * `cause` is the store's error.
   */
  'ERR_STORE_FAILED',
  /** `DeadLetterQueue`: no entry with that id. */
  'ERR_NOT_FOUND',
  /** A piece was used after `close()`. */
  'ERR_CLOSED',
] as const;

export type ResilienceErrorCode = (typeof RESILIENCE_ERROR_CODES)[number];

/** The wire shape: what survives serialisation across nodes. */
export interface ResilienceErrorData {
  readonly _tag: 'ResilienceError';
  readonly code: ResilienceErrorCode;
  readonly message: string;
}

export interface ResilienceErrorExtra {
  /** For `ERR_INVALID_OPTION`: the offending field. */
  readonly field?: string;
  /** Attempts made, for retry errors. */
  readonly attempts?: number;
  /** The resource concerned, for mediator errors. */
  readonly resource?: string;
  readonly cause?: unknown;
}

/**
 * The one error class of the package, branded with `_tag` so that `isResilienceError` works on
 * values that crossed a realm or the wire, where `instanceof` would not; its base gives it the
 * brand core's `isWardenError` recognises too.
 */
export class ResilienceError extends WardenErrorBase {
  readonly _tag = 'ResilienceError' as const;
  readonly code: ResilienceErrorCode;
  readonly field: string | undefined;
  readonly attempts: number | undefined;
  readonly resource: string | undefined;

  constructor(code: ResilienceErrorCode, message: string, extra: ResilienceErrorExtra = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'ResilienceError';
    this.code = code;
    this.field = extra.field;
    this.attempts = extra.attempts;
    this.resource = extra.resource;
  }

  override toJSON(): ResilienceErrorData {
    return { _tag: this._tag, code: this.code, message: this.message };
  }
}

/** True for a `ResilienceError` (optionally of one code), also after a trip over the wire. */
export function isResilienceError(
  value: unknown,
  code?: ResilienceErrorCode,
): value is ResilienceError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { _tag?: unknown; code?: unknown };
  return v._tag === 'ResilienceError' && (code === undefined || v.code === code);
}
