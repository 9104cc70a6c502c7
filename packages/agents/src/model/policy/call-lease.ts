import type { Clock } from '@warden/core';
import type { CircuitBreaker } from '@warden/machines';
import {
  type AttemptHolder,
  isResilienceError,
  type Permit,
  type RetryContext,
} from '@warden/resilience';
import { isModelCallError, type ModelCallError } from '../model-call-error.js';
import type { ModelClient } from '../model-client.js';
import { FAILURE_HANDLING } from './failure-handling.js';
import { isAbort } from './model-failure.js';
import type { ModelPolicyEvent } from './model-policy-event.js';
import type { Lease } from './open-stream.js';
import { giveBackPermit, type ProviderLimiter } from './provider-limiter.js';

/** What the leases of one `ModelPolicy` report to. */
export interface LeaseOwner {
  readonly clock: Clock;
  emit(event: ModelPolicyEvent): void;
  /** The last failure that counted against each provider's breaker (why it is open). */
  readonly lastFailure: Map<string, ModelCallError>;
}

/**
 * One attempt's hold on the provider's slot and the breaker's permit (a class, not closures: one
 * is made per model call). `end` settles the permit with the call's verdict and frees the slot;
 * the retry cutting the attempt ends it at the cut (`attemptCut`), so a client that never
 * settles does not keep them.
 */
export class CallLease implements Lease, AttemptHolder {
  #done = false;

  constructor(
    private readonly owner: LeaseOwner,
    private readonly target: Pick<ModelClient, 'provider' | 'model'>,
    private readonly attempt: RetryContext,
    private readonly limiter: ProviderLimiter,
    private readonly breaker: CircuitBreaker,
    private readonly permit: number,
    private readonly slot: Permit,
    /** `slot` is the semaphore's permit itself (`takePermit`), given back through the limiter. */
    private readonly raw: boolean,
  ) {}

  /** The retry cut the attempt (its deadline, the caller, the node's stop): settle it now. */
  attemptCut(reason: unknown): void {
    this.end(reason);
  }

  end(error?: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.attempt.onCut(undefined);
    this.breaker.settle(this.permit, this.#verdict(error));
    this.#giveBack();
  }

  release(): void {
    if (this.#done) return;
    this.#done = true;
    this.attempt.onCut(undefined);
    this.breaker.settle(this.permit, 'release');
    this.#giveBack();
  }

  /** How the call ended, for the breaker; a 429 with `Retry-After` pauses the provider. */
  #verdict(error: unknown): 'success' | 'failure' | 'release' {
    const { attempt, limiter } = this;
    if (error === undefined) {
      limiter.answered();
      return 'success';
    }
    if (attempt.aborted) {
      // the retry's deadline aborted a call that did not answer in time: the provider's failure
      return isResilienceError(attempt.signal.reason, 'ERR_RETRY_DEADLINE') ? 'failure' : 'release';
    }
    if (isAbort(error)) return 'release';
    if (!isModelCallError(error)) return 'failure';
    if (error.kind === 'rate_limited' && error.retryAfterMs !== undefined) {
      const before = limiter.pausedUntil;
      limiter.pause(error.retryAfterMs);
      if (limiter.pausedUntil !== before) {
        this.owner.emit({
          type: 'model.paused',
          time: this.owner.clock.now(),
          provider: this.target.provider,
          until: limiter.pausedUntil,
        });
      }
    }
    if (!FAILURE_HANDLING[error.kind].breaker) return 'success';
    this.owner.lastFailure.set(this.target.provider, error);
    return 'failure';
  }

  #giveBack(): void {
    if (this.raw) giveBackPermit(this.limiter, this.slot);
    else this.slot.release();
  }
}
