import { isWardenError } from '@warden/core';
import { isMachinesError } from '@warden/machines';
import { isResilienceError } from '@warden/resilience';
import { isModelCallError, ModelCallError, type ModelErrorKind } from '../model-call-error.js';

/** Who failed, for errors the policy makes itself. */
export interface FailureContext {
  readonly provider: string;
  readonly model: string;
}

/** An abort: the caller's (core's `ERR_ABORTED`) or one of resilience's pieces reporting it. */
export function isAbort(error: unknown): boolean {
  return isWardenError(error, 'ERR_ABORTED') || isResilienceError(error, 'ERR_ABORTED');
}

/**
 * The `ModelCallError` behind what a policy piece threw: a retry that gave up carries the last
 * model error as its `cause`; a limiter's refusal is `rate_limited`; a retry deadline with no
 * model error behind it is `timeout`. The agent runtime never sees another kind of error.
 */
export function toModelCallError(error: unknown, context: FailureContext): ModelCallError {
  let current: unknown = error;
  for (let depth = 0; depth < 5; depth++) {
    if (isModelCallError(current)) return current as ModelCallError;
    const cause = (current as { cause?: unknown } | null)?.cause;
    if (cause === undefined || !isResilienceError(current)) break;
    current = cause;
  }
  return local(error, context);
}

function local(error: unknown, { provider, model }: FailureContext): ModelCallError {
  const make = (kind: ModelErrorKind, providerCode: string, retryable?: boolean) =>
    new ModelCallError(kind, `${provider}: ${(error as Error)?.message ?? String(error)}`, {
      provider,
      model,
      providerCode,
      cause: error,
      ...(retryable === undefined ? {} : { retryable }),
    });
  if (isResilienceError(error, 'ERR_RATE_LIMITED')) return make('rate_limited', 'local_rate_limit');
  if (isResilienceError(error, 'ERR_BULKHEAD_FULL'))
    return make('rate_limited', 'local_concurrency_limit');
  if (isResilienceError(error, 'ERR_RETRY_DEADLINE')) return make('timeout', 'retry_deadline');
  // the policy stopped with its node: as a closed model, not an unexplained failure
  if (isResilienceError(error, 'ERR_CLOSED')) return make('unknown', 'closed', false);
  if (isMachinesError(error, 'ERR_BREAKER_OPEN') || isMachinesError(error, 'ERR_BREAKER_ISOLATED'))
    return make('overloaded', 'circuit_open', false);
  return make('unknown', 'unexpected_error', false);
}
