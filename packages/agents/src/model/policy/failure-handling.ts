import type { ModelErrorKind } from '../model-call-error.js';

/**
 * What the policy does with each kind of failure, declared once as data (the table of
 * docs/agents/models.md is this table):
 * - `retry`: retried with full jitter inside the node's retry budget (transient);
 * - `wait`: retried after the provider's `Retry-After`, spread above it, through the provider's
 *   shared rate limiter (the node stops sending to that provider until then);
 * - `degrade`: not retried; the next rung of the ladder serves (fallback, cache, static, queue);
 * - `signal`: handed to the caller untouched (the agent runtime compacts and retries once);
 * - `fail`: handed to the caller untouched (the agent exits; its supervisor decides).
 *
 * `breaker`: the failure counts against the provider's circuit breaker. Sustained transient
 * failures, quota and credentials open it, and the ladder moves down until a probe succeeds.
 * A caller's abort is none of these: it is never retried and never counted.
 */
export interface KindHandling {
  readonly action: 'retry' | 'wait' | 'degrade' | 'signal' | 'fail';
  readonly breaker: boolean;
  /** When retries give up (or are denied), the ladder may serve the call from a lower rung. */
  readonly degrades: boolean;
}

export const FAILURE_HANDLING: Readonly<Record<ModelErrorKind, KindHandling>> = Object.freeze({
  server: { action: 'retry', breaker: true, degrades: true },
  timeout: { action: 'retry', breaker: true, degrades: true },
  network: { action: 'retry', breaker: true, degrades: true },
  overloaded: { action: 'retry', breaker: true, degrades: true },
  rate_limited: { action: 'wait', breaker: false, degrades: true },
  quota_exhausted: { action: 'degrade', breaker: true, degrades: true },
  auth: { action: 'degrade', breaker: true, degrades: true },
  context_length: { action: 'signal', breaker: false, degrades: false },
  bad_request: { action: 'fail', breaker: false, degrades: false },
  content_filter: { action: 'fail', breaker: false, degrades: false },
  // unrecognised: handing it to the agent shows it; retrying or degrading could hide a bug
  unknown: { action: 'fail', breaker: false, degrades: false },
});

/** Every number the policy uses, declared once; `createModelPolicy` options override them. */
export const MODEL_POLICY_DEFAULTS = Object.freeze({
  /** Transient failures (`retry`): attempts in all, and the backoff of `@warden/resilience`. */
  retry: Object.freeze({ maxAttempts: 4, baseMs: 500, maxDelayMs: 30_000, deadlineMs: 600_000 }),
  /** The retry budget shared by every call on the node: retries add at most 20% load. */
  budget: Object.freeze({ ratio: 0.2, minRetries: 10, windowMs: 10_000 }),
  /** `rate_limited` (`wait`): attempts in all; each waits the Retry-After, spread up to twice it. */
  rateLimited: Object.freeze({
    maxAttempts: 8,
    baseMs: 1_000,
    maxDelayMs: 120_000,
    retryAfterSpread: 1,
    deadlineMs: 600_000,
  }),
  /** Per provider, shared by every agent of the node. */
  limits: Object.freeze({
    concurrency: 20,
    /** Callers waiting for a slot; beyond it, `rate_limited` at once. */
    maxQueue: 1_000,
    ratePerSecond: 50,
    burst: 50,
    /** The longest a call waits for a token; beyond it, `rate_limited` at once. */
    maxWaitMs: 60_000,
  }),
  /** The provider's breaker (`CircuitBreaker` of `@warden/machines`). */
  breaker: Object.freeze({
    threshold: 5,
    openMs: 30_000,
    maxOpenMs: 300_000,
  }),
  cache: Object.freeze({ maxEntries: 1_000, ttlMs: 3_600_000 }),
  /** Calls held for later; each fails with `timeout` past the deadline; replays are tried on
   * every breaker change and at least every `replayEveryMs` while calls wait. */
  queue: Object.freeze({ capacity: 100, deadlineMs: 1_800_000, replayEveryMs: 15_000 }),
});
