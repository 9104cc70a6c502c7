import { type Clock, systemClock, type TimerHandle } from '@warden/core';
import { MachinesError } from '../errors.js';
import { type BreakerEvent, changeEvent, type StateChangeListener } from './breaker-events.js';
import {
  type BreakerOptions,
  type BreakerPolicy,
  validateBreakerOptions,
} from './breaker-options.js';
import {
  acquirePermit,
  closedSuccessTrips,
  isolate,
  recordFailure,
  recordSuccess,
  releasePermit,
  reset,
  retryDue,
  tripClosed,
} from './breaker-policy.js';
import { type BreakerSnapshot, restoreBreaker, saveBreaker } from './breaker-snapshot.js';
import { type BreakerState, type BreakerStateName, initialBreakerState } from './breaker-state.js';
import { type BreakerStats, statsOf } from './breaker-stats.js';
import {
  type CallOutcome,
  NEVER_ABORTED,
  type OutcomeSink,
  PlainOutcome,
  runGuarded,
  runPlain,
} from './guarded-call.js';

export interface ExecuteOptions<T> {
  /** The caller's signal: handed to `fn`; its abort gives the permit back (not a failure). */
  readonly signal?: AbortSignal;
  /** Runs instead of `fn` when the breaker rejects the call (open, saturated or isolated). */
  readonly fallback?: (error: MachinesError) => T | PromiseLike<T>;
}

const NO_FAILURE_FILTER = (): boolean => true;

/**
 * A circuit breaker on the node's clock. `execute` is the hot path: it reads the state, asks the
 * pure policy for a permit and updates counters in place, with no xstate, no timer (unless a call
 * timeout is set) and no allocation beyond the call's promise. The transitions are those of
 * `breakerMachine`, by construction: both apply the functions of `breaker-policy.ts`.
 *
 * One timer per trip moves an open breaker to half-open when its timeout ends.
 *
 * @example
 * const breaker = new CircuitBreaker({ clock: node.clock, failure: { threshold: 3 } });
 * const data = await breaker.execute((signal) => fetchJson(url, { signal }));
 */
export class CircuitBreaker implements OutcomeSink {
  readonly name: string | undefined;
  readonly policy: BreakerPolicy;
  #s: BreakerState;
  readonly #clock: Clock;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #onEvent: ((event: BreakerEvent) => void) | undefined;
  #listeners: StateChangeListener[] = [];
  #timer: TimerHandle | undefined = undefined;
  #rejection: MachinesError | undefined = undefined;
  #rejectionEpoch = -1;
  /** Set when `options.signal` aborts (its node stopped). */
  #stopped = false;
  /** The outcome reactions shared by the calls without a signal of the current permit. */
  #plain: PlainOutcome | undefined = undefined;
  /** Whether a success needs the time to be recorded (the time window places it in a slice). */
  readonly #timedSuccess: boolean;

  constructor(options: BreakerOptions = {}) {
    this.policy = validateBreakerOptions(options);
    this.name = options.name;
    this.#clock = options.clock ?? systemClock;
    this.#isFailure = options.isFailure ?? NO_FAILURE_FILTER;
    this.#onEvent = options.onEvent;
    const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
    this.#s = initialBreakerState(this.policy, seed);
    this.#timedSuccess = this.policy.failure.kind === 'time-window';
    const stop = options.signal;
    if (stop?.aborted === true) this.#stop();
    else stop?.addEventListener('abort', () => this.#stop(), { once: true });
  }

  /** Revives a breaker saved with `toJSON()`, on this clock (see `BreakerSnapshot`). */
  static fromJSON(snapshot: unknown, options: BreakerOptions = {}): CircuitBreaker {
    const breaker = new CircuitBreaker(options);
    const now = breaker.#clock.now();
    breaker.#s = restoreBreaker(breaker.policy, snapshot, now);
    if (breaker.#s.state === 'open' && !breaker.#stopped) breaker.#armRetry(now);
    return breaker;
  }

  get state(): BreakerStateName {
    return this.#s.state;
  }

  get stats(): BreakerStats {
    return statsOf(this.policy, this.#s, this.#clock.now());
  }

  /**
   * Runs `fn` if the breaker lets it through, recording its outcome; otherwise rejects at once
   * with `ERR_BREAKER_OPEN` (carrying `retryAt`) or `ERR_BREAKER_ISOLATED`, or runs `fallback`.
   */
  execute<T>(
    fn: (signal: AbortSignal) => T | PromiseLike<T>,
    options?: ExecuteOptions<T>,
  ): Promise<T> {
    // The hot path: a closed breaker, a plain call, and the reactions of the current permit made
    // already (what the general path below would pick, without its checks).
    const plain = this.#plain;
    if (
      options === undefined &&
      plain !== undefined &&
      plain.permit === this.#s.epoch &&
      this.#s.state === 'closed'
    ) {
      return runPlain(fn, NEVER_ABORTED, plain);
    }
    const signal = options?.signal;
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    const permit = this.tryAcquire();
    if (permit < 0) return this.#rejected(options?.fallback);
    if (signal === undefined && this.policy.callTimeoutMs === undefined) {
      let outcome = this.#plain;
      if (outcome?.permit !== permit) {
        outcome = new PlainOutcome(this, permit, this.#isFailure, undefined);
        this.#plain = outcome;
      }
      return runPlain(fn, NEVER_ABORTED, outcome);
    }
    return runGuarded(
      fn,
      permit,
      this,
      this.#isFailure,
      signal,
      this.#clock,
      this.policy.callTimeoutMs,
    );
  }

  /**
   * The permit half of `execute`, for callers that run the call elsewhere (a breaker actor):
   * returns a permit (>= 0) to pass to `settle` once the call ends, or -1 when rejected.
   */
  tryAcquire(): number {
    const s = this.#s;
    const previous = s.state;
    // A closed breaker grants without looking at time: skip the clock read on the hot path.
    const now = previous === 'closed' ? 0 : this.#clock.now();
    const granted = acquirePermit(this.policy, s, now);
    if (s.state !== previous) this.#changed(previous, now, false);
    return granted ? s.epoch : -1;
  }

  /** Records how a permitted call ended. A permit from an earlier state changes nothing. */
  settle(permit: number, outcome: CallOutcome): void {
    const s = this.#s;
    if (permit !== s.epoch) return;
    if (outcome === 'success' && s.state === 'closed') {
      this.#closedSuccess(s);
      return;
    }
    const now = this.#clock.now();
    const previous = s.state;
    if (outcome === 'success') recordSuccess(this.policy, s, permit, now);
    else if (outcome === 'failure') recordFailure(this.policy, s, permit, now);
    else releasePermit(s, permit);
    if (s.state !== previous) this.#changed(previous, now, false);
  }

  /**
   * A success of the closed breaker, the hot path's outcome. It reads the clock (its costliest
   * step) only where time plays a part: to place the success in the time window's slice, and
   * when the success trips the breaker (the trip's time). The consecutive policy never trips on
   * a success, the count window only by the rule it checks first.
   */
  #closedSuccess(s: BreakerState): void {
    const timed = this.#timedSuccess;
    const now = timed ? this.#clock.now() : 0;
    if (!closedSuccessTrips(this.policy, s, now)) return;
    const at = timed ? now : this.#clock.now();
    tripClosed(this.policy, s, at);
    this.#changed('closed', at, false);
  }

  /** The error a call rejected now gets (and reports the rejection). */
  rejection(): MachinesError {
    const s = this.#s;
    const now = this.#clock.now();
    let error: MachinesError;
    if (s.state === 'isolated') {
      error = new MachinesError('ERR_BREAKER_ISOLATED', `breaker ${this.#label()}is isolated`);
    } else if (s.state === 'open') {
      // One error per open period: failing fast must stay cheap (building an Error is not).
      if (this.#rejectionEpoch !== s.epoch || this.#rejection === undefined) {
        this.#rejection = new MachinesError(
          'ERR_BREAKER_OPEN',
          `breaker ${this.#label()}is open until ${s.retryAt}`,
          { retryAt: s.retryAt },
        );
        this.#rejectionEpoch = s.epoch;
      }
      error = this.#rejection;
    } else {
      error = new MachinesError(
        'ERR_BREAKER_OPEN',
        `breaker ${this.#label()}is half-open and its ${this.policy.trialCalls} trial call(s) are taken`,
        { retryAt: now },
      );
    }
    if (this.#onEvent !== undefined) {
      this.#emit({
        type: 'breaker.reject',
        time: now,
        name: this.name,
        state: s.state,
        retryAt: error.retryAt,
      });
    }
    return error;
  }

  /** Subscribes to state changes; returns the unsubscribe function. */
  onStateChange(listener: StateChangeListener): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** Opens the breaker by hand until `reset()`: every call is rejected with `ERR_BREAKER_ISOLATED`. */
  isolate(): void {
    const previous = this.#s.state;
    isolate(this.#s);
    if (this.#s.state !== previous) this.#changed(previous, this.#clock.now(), true);
  }

  /** Closes the breaker and forgets its counters and re-open level. */
  reset(): void {
    const previous = this.#s.state;
    reset(this.#s);
    this.#changed(previous, this.#clock.now(), true);
  }

  toJSON(): BreakerSnapshot {
    return saveBreaker(this.#s, this.#clock.now());
  }

  /** Cancels the breaker's timer and drops its listeners (its owner is going away). */
  dispose(): void {
    this.#disarm();
    this.#listeners = [];
  }

  /** Its node stopped: no timer, no listener, no event from now on. */
  #stop(): void {
    this.#stopped = true;
    this.dispose();
  }

  #rejected<T>(fallback: ExecuteOptions<T>['fallback']): Promise<T> {
    const error = this.rejection();
    if (fallback === undefined) return Promise.reject(error);
    try {
      return Promise.resolve(fallback(error));
    } catch (fallbackError) {
      return Promise.reject(fallbackError);
    }
  }

  #changed(previous: BreakerStateName, now: number, manual: boolean): void {
    if (this.#stopped) return;
    const s = this.#s;
    if (s.state === 'open') this.#armRetry(now);
    else this.#disarm();
    if (this.#onEvent !== undefined) {
      this.#emit(changeEvent(this.name, s, previous, now, manual));
    }
    if (s.state === previous) return;
    for (const listener of this.#listeners) {
      try {
        listener(s.state, previous);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }

  #emit(event: BreakerEvent): void {
    if (this.#stopped) return;
    try {
      this.#onEvent?.(event);
    } catch (error) {
      reportListenerError(error);
    }
  }

  #armRetry(now: number): void {
    this.#disarm();
    this.#timer = this.#clock.setTimer(Math.max(0, this.#s.retryAt - now), this.#onRetry);
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  /** The open timeout ended: the timer is the authority that the time has come. */
  readonly #onRetry = (): void => {
    this.#timer = undefined;
    const s = this.#s;
    const now = Math.max(this.#clock.now(), s.retryAt);
    const previous = s.state;
    retryDue(s, now);
    if (s.state !== previous) this.#changed(previous, now, false);
  };

  #label(): string {
    return this.name === undefined ? '' : `"${this.name}" `;
  }
}

/** A listener that throws must not break the breaker or the other listeners. */
function reportListenerError(error: unknown): void {
  console.error('warden breaker listener failed:', error);
}
