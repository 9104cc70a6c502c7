import type { Clock, Node } from '@warden/core';
import { CircuitBreaker } from '@warden/machines';
import {
  type ResilienceObserver,
  RetryBudget,
  type RetryCall,
  type RetryContext,
  type RetryPolicy,
} from '@warden/resilience';
import { onGeneralPath, takesGeneralPath } from '../internal/general-path.js';
import { isModelCallError, type ModelCallError } from '../model-call-error.js';
import type { ModelClient } from '../model-client.js';
import type { ModelRequest } from '../model-request.js';
import type { ModelResponse } from '../model-response.js';
import { CallLease, type LeaseOwner } from './call-lease.js';
import { MODEL_POLICY_DEFAULTS } from './failure-handling.js';
import { type CallSink, CUT, GenerateCall, type InlineOutcome } from './generate-call.js';
import type { ModelPolicyEvent } from './model-policy-event.js';
import type { ModelPolicyOptions } from './model-policy-options.js';
import { modelRetries } from './model-retries.js';
import { type Lease, type OpenStream, openFirstEvent } from './open-stream.js';
import { checkClock, invalidOption } from './option-checks.js';
import { giveBackPermit, ProviderLimiter, takePermit } from './provider-limiter.js';

export type { ModelPolicyOptions } from './model-policy-options.js';

/**
 * `ModelPolicy.generate`, whose outcome goes to `sink` before its promise settles (the resilient
 * model's cache and ladder, without a promise of their own for an answer). Internal to the
 * package: not exported from its index.
 */
export let generateThrough: (
  policy: ModelPolicy,
  client: ModelClient,
  request: ModelRequest,
  signal: AbortSignal,
  sink: CallSink,
  unaborted: boolean,
) => Promise<ModelResponse>;

/** The model identity a call is made for. */
type Target = Pick<ModelClient, 'provider' | 'model'>;

/**
 * The failure policy every model call of a node goes through, built from `@warden/resilience`
 * and `@warden/machines` pieces and decided by the error's kind (`FAILURE_HANDLING`):
 *
 *   retry (transient, full jitter, shared budget)
 *     retry (rate_limited, Retry-After spread above)
 *       provider limiter (concurrency, token bucket, Retry-After pause; shared per provider)
 *         provider breaker (opens on sustained failure; fails fast while open)
 *           the client's call
 *
 * One policy per node (`modelPolicyOf(node)`), so every agent shares the limits and breakers.
 * A caller's abort is never retried and never counted against a breaker.
 */
export class ModelPolicy {
  readonly clock: Clock;
  readonly budget: RetryBudget;
  readonly #options: ModelPolicyOptions;
  readonly #random: () => number;
  readonly #observer: ResilienceObserver | undefined;
  readonly #emitEvent: ((event: ModelPolicyEvent) => void) | undefined;
  readonly #transient: RetryPolicy;
  readonly #rateLimited: RetryPolicy;
  readonly #spread: number;
  readonly #limiters = new Map<string, ProviderLimiter>();
  readonly #breakers = new Map<string, CircuitBreaker>();
  readonly #lastFailure = new Map<string, ModelCallError>();
  /** What every call's lease reports to (`CallLease`). */
  readonly #leases: LeaseOwner;
  /** Whether a call's first attempt may be made inline (`#inline`); off only in tests. */
  readonly #inlineFirst: boolean;
  readonly #owner = { resume: this.#resume.bind(this) };

  constructor(options: ModelPolicyOptions) {
    if (typeof options !== 'object' || options === null) {
      throw invalidOption('options', options, 'an object');
    }
    this.clock = checkClock('clock', options.clock);
    this.#leases = {
      clock: this.clock,
      emit: (event) => this.emit(event),
      lastFailure: this.#lastFailure,
    };
    this.#options = options;
    this.#inlineFirst = !takesGeneralPath(options);
    if (!this.#inlineFirst) onGeneralPath(this);
    const random = options.random ?? Math.random;
    if (typeof random !== 'function') throw invalidOption('random', random, 'a function');
    this.#random = random;
    const node = options.node;
    if (node !== undefined && typeof node?.publish !== 'function') {
      throw invalidOption('node', node, 'a Node (with publish)');
    }
    const observer = options.observer;
    if (observer !== undefined && typeof observer !== 'function') {
      throw invalidOption('observer', observer, 'a function');
    }
    if (node !== undefined || observer !== undefined) {
      this.#emitEvent = (event) => {
        node?.publish(event);
        observer?.(event);
      };
      this.#observer = this.#emitEvent as ResilienceObserver;
    }
    const b = { ...MODEL_POLICY_DEFAULTS.budget, ...options.budget };
    this.budget = new RetryBudget({
      clock: this.clock,
      ratio: b.ratio,
      minRetries: b.minRetries,
      windowMs: b.windowMs,
      name: 'model-retry-budget',
      ...this.#observed(),
    });
    const retries = modelRetries({
      clock: this.clock,
      random,
      budget: this.budget,
      observer: this.#observer,
      retry: options.retry,
      rateLimited: options.rateLimited,
      signal: options.signal,
    });
    this.#transient = retries.transient;
    this.#rateLimited = retries.rateLimited;
    this.#spread = retries.spread;
    if (options.breaker !== undefined) new CircuitBreaker(options.breaker).dispose(); // validates now
    for (const [provider, limits] of Object.entries(options.limits ?? {})) {
      if (typeof limits !== 'object' || limits === null) {
        throw invalidOption(`limits.${provider}`, limits, 'ProviderLimits');
      }
      if (provider !== '*') this.limiter(provider);
    }
  }

  /** The limiter every call to `provider` on this node shares. */
  limiter(provider: string): ProviderLimiter {
    let limiter = this.#limiters.get(provider);
    if (limiter === undefined) {
      const limits = this.#options.limits?.[provider] ?? this.#options.limits?.['*'] ?? {};
      limiter = new ProviderLimiter(
        provider,
        limits,
        this.clock,
        this.#random,
        this.#spread,
        this.#observer,
      );
      this.#limiters.set(provider, limiter);
    }
    return limiter;
  }

  /** The breaker of `provider` on this node: a `CircuitBreaker`, usable as a ladder's health. */
  breaker(provider: string): CircuitBreaker {
    let breaker = this.#breakers.get(provider);
    if (breaker === undefined) {
      const d = MODEL_POLICY_DEFAULTS.breaker;
      breaker = new CircuitBreaker({
        clock: this.clock,
        name: provider,
        seed: 1,
        ...(this.#options.breaker ?? {
          failure: { kind: 'consecutive', threshold: d.threshold },
          openTimeout: { initialMs: d.openMs, maxMs: d.maxOpenMs },
        }),
        ...(this.#emitEvent === undefined ? {} : { onEvent: this.#emitEvent }),
      });
      this.#breakers.set(provider, breaker);
    }
    return breaker;
  }

  /** The last failure that counted against `provider`'s breaker (why it is open). */
  lastFailure(provider: string): ModelCallError | undefined {
    return this.#lastFailure.get(provider);
  }

  /** One `generate` through the policy (no ladder: `createResilientModel` adds it). */
  generate(
    client: ModelClient,
    request: ModelRequest,
    signal: AbortSignal,
  ): Promise<ModelResponse> {
    return this.#generate(client, request, signal, undefined, false);
  }

  static {
    generateThrough = (policy, client, request, signal, sink, unaborted) =>
      policy.#generate(client, request, signal, sink, unaborted);
  }

  #generate(
    client: ModelClient,
    request: ModelRequest,
    signal: AbortSignal,
    sink: CallSink | undefined,
    unaborted: boolean,
  ): Promise<ModelResponse> {
    const call = new GenerateCall(client, request, signal, sink);
    return (
      (this.#inlineFirst ? this.#inline(client, call, signal, unaborted) : undefined) ??
      call.through(this.#run(client, signal, call))
    );
  }

  /**
   * The call's first attempt made inline, as `#attempt` makes it, when the breaker is closed:
   * no async frame, no retry loop and no attempt promise for a call that answers. Whatever else
   * happens goes to the general path as that first attempt's outcome (`#resume`), which then
   * goes on exactly as if it had made the attempt itself: `undefined` when the retry would not
   * even start the call (the caller aborted, the node stopped), for `#run` to say so.
   */
  #inline(
    target: Target,
    call: GenerateCall,
    signal: AbortSignal,
    unaborted: boolean,
  ): Promise<ModelResponse> | undefined {
    let breaker: CircuitBreaker;
    let limiter: ProviderLimiter;
    try {
      breaker = this.breaker(target.provider);
      limiter = this.limiter(target.provider);
    } catch {
      return undefined; // limits that do not hold: the general path's attempt fails with them
    }
    if (breaker.state !== 'closed') return undefined;
    const run = this.#transient.begin(signal, unaborted);
    if (run === undefined) return undefined;
    // the instant the call began, read once for its deadline, the budget and the token bucket
    const slot = takePermit(limiter, run.startedAt);
    if (slot === undefined) return this.#resume(call, run, undefined);
    const permit = breaker.tryAcquire();
    if (permit < 0) {
      giveBackPermit(limiter, slot);
      return this.#resume(call, run, { error: breaker.rejection() });
    }
    const lease = new CallLease(this.#leases, target, run, limiter, breaker, permit, slot, true);
    return call.inline(run, lease, this.#owner);
  }

  /** The general path from a call begun inline, whose first attempt ended with `outcome`. */
  #resume(call: GenerateCall, run: RetryCall, outcome: InlineOutcome): Promise<ModelResponse> {
    const target = call.target;
    return call.through(
      this.#transient.resume(run, (outer) => {
        if (outer.attempt !== 1 || outcome === undefined) return this.#outer(target, outer, call);
        if (outcome === CUT) return undefined as never; // the retry sees its cut, not this
        return this.#rateLimitedAfter(target, outer, call, outcome.error);
      }),
    );
  }

  /**
   * Opens a stream through the policy: retried until its first event arrives, never after.
   * The returned stream holds the provider's slot until it is read to the end or closed.
   */
  openStream(client: ModelClient, request: ModelRequest, signal: AbortSignal): Promise<OpenStream> {
    return this.#run(client, signal, {
      open: (attempt, lease) => openFirstEvent(client, request, attempt.signal, lease),
    });
  }

  emit(event: ModelPolicyEvent): void {
    if (this.#emitEvent === undefined) return;
    try {
      this.#emitEvent(event);
    } catch (error) {
      setImmediate(() => {
        throw error;
      });
    }
  }

  #observed(): { observer?: ResilienceObserver } {
    return this.#observer === undefined ? {} : { observer: this.#observer };
  }

  #run<T>(target: Target, signal: AbortSignal, call: PolicyCall<T>): Promise<T> {
    return this.#transient.execute((outer) => this.#outer(target, outer, call), { signal });
  }

  /** One attempt of the transient retry: the call, with the 429s retried inside it. */
  async #outer<T>(target: Target, outer: RetryContext, call: PolicyCall<T>): Promise<T> {
    try {
      return await this.#attempt(target, outer, call);
    } catch (first) {
      return this.#rateLimitedAfter(target, outer, call, first);
    }
  }

  /**
   * The 429 retries, from the first answer of an attempt (their attempt 1), so that a call that
   * meets no 429 never pays for a second retry loop; any other failure is the attempt's.
   */
  #rateLimitedAfter<T>(
    target: Target,
    outer: RetryContext,
    call: PolicyCall<T>,
    first: unknown,
  ): Promise<T> {
    if (!isModelCallError(first, 'rate_limited') || !first.retryable) throw first;
    let replay: unknown = first;
    return this.#rateLimited.execute(
      (inner) => {
        if (replay === undefined) return this.#attempt(target, inner, call);
        const error = replay;
        replay = undefined;
        throw error;
      },
      { signal: outer.signal },
    );
  }

  async #attempt<T>(target: Target, attempt: RetryContext, call: PolicyCall<T>): Promise<T> {
    const breaker = this.breaker(target.provider);
    // fail fast: an open breaker must not cost a wait in the limiter's queue
    if (breaker.state === 'open' || breaker.state === 'isolated') throw breaker.rejection();
    const limiter = this.limiter(target.provider);
    const slot =
      (attempt.aborted ? undefined : limiter.tryAcquire()) ??
      (await limiter.acquire(attempt.signal));
    const permit = breaker.tryAcquire();
    if (permit < 0) {
      slot.release();
      throw breaker.rejection();
    }
    const lease = new CallLease(
      this.#leases,
      target,
      attempt,
      limiter,
      breaker,
      permit,
      slot,
      false,
    );
    // A client that never settles must not keep the slot and the permit once the attempt is cut.
    attempt.onCut(lease);
    try {
      return await call.open(attempt, lease);
    } catch (error) {
      lease.end(error);
      throw error;
    }
  }
}

export function createModelPolicy(options: ModelPolicyOptions): ModelPolicy {
  return new ModelPolicy(options);
}

const NODE_POLICIES = new WeakMap<object, ModelPolicy>();

/**
 * The policy every agent of `node` shares (created on first use with the defaults), so that
 * limits and breakers are per provider per node, whoever calls.
 */
export function modelPolicyOf(
  node: Pick<Node, 'clock' | 'publish'> & { readonly signal?: AbortSignal },
): ModelPolicy {
  let policy = NODE_POLICIES.get(node);
  if (policy === undefined) {
    const signal = node.signal;
    policy = new ModelPolicy({
      clock: node.clock,
      node,
      ...(signal === undefined ? {} : { signal }),
    });
    NODE_POLICIES.set(node, policy);
  }
  return policy;
}

/** What one attempt of a call does once it holds the provider's slot and the breaker's permit. */
interface PolicyCall<T> {
  open(attempt: RetryContext, lease: Lease): Promise<T>;
}
