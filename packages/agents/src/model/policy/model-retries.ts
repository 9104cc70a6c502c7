import type { Clock } from '@warden/core';
import {
  type Classification,
  type ResilienceObserver,
  type RetryBudget,
  type RetryPolicy,
  retry,
} from '@warden/resilience';
import { isModelCallError } from '../model-call-error.js';
import { FAILURE_HANDLING, MODEL_POLICY_DEFAULTS } from './failure-handling.js';
import { checkNumber } from './option-checks.js';

/** Overrides for a group of numeric defaults. */
export type Overrides<T> = { readonly [K in keyof T]?: number };

export interface ModelRetries {
  /** Transient kinds (`retry` in `FAILURE_HANDLING`): full jitter, inside the budget. */
  readonly transient: RetryPolicy;
  /** `rate_limited`: after the `Retry-After`, spread above it; outside the budget. */
  readonly rateLimited: RetryPolicy;
  readonly spread: number;
}

function verdict(retryAfterMs: number | undefined): Classification {
  return retryAfterMs === undefined ? { transient: true } : { transient: true, retryAfterMs };
}

/**
 * The two `retry` policies of `@warden/resilience` a model call runs in, one per reason to wait
 * (decision 0023): a budget measures extra load, and a 429 honoured adds none.
 */
export function modelRetries(options: {
  readonly clock: Clock;
  readonly random: () => number;
  readonly budget: RetryBudget;
  readonly observer: ResilienceObserver | undefined;
  readonly retry: Overrides<typeof MODEL_POLICY_DEFAULTS.retry> | undefined;
  readonly rateLimited: Overrides<typeof MODEL_POLICY_DEFAULTS.rateLimited> | undefined;
  /** Stops both retries (the node's signal): calls in flight end, the deadline timers clear. */
  readonly signal: AbortSignal | undefined;
}): ModelRetries {
  const { clock, random, budget } = options;
  const observed = {
    ...(options.observer === undefined ? {} : { observer: options.observer }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  const t = { ...MODEL_POLICY_DEFAULTS.retry, ...options.retry };
  const transient = retry({
    clock,
    maxAttempts: t.maxAttempts,
    baseMs: t.baseMs,
    maxDelayMs: t.maxDelayMs,
    deadlineMs: t.deadlineMs,
    jitter: 'full',
    budget,
    random,
    classify: (error) => {
      if (!isModelCallError(error) || !error.retryable) return false;
      if (FAILURE_HANDLING[error.kind].action !== 'retry') return false;
      return verdict(error.retryAfterMs);
    },
    name: 'model-retry',
    ...observed,
  });
  const r = { ...MODEL_POLICY_DEFAULTS.rateLimited, ...options.rateLimited };
  const spread = checkNumber('rateLimited.retryAfterSpread', r.retryAfterSpread, 0, 100);
  const rateLimited = retry({
    clock,
    maxAttempts: r.maxAttempts,
    baseMs: r.baseMs,
    maxDelayMs: r.maxDelayMs,
    deadlineMs: r.deadlineMs,
    retryAfterSpread: spread,
    jitter: 'full',
    random,
    classify: (error) => {
      if (!isModelCallError(error, 'rate_limited') || !error.retryable) return false;
      return verdict(error.retryAfterMs);
    },
    name: 'model-rate-retry',
    ...observed,
  });
  return { transient, rateLimited, spread };
}
