import type { Clock, TimerHandle } from '@warden/core';
import { ResilienceError } from './errors.js';
import { Emitter, type Observed } from './events.js';
import { abortedError, invoke } from './internal/abort.js';
import { checkClock, checkExecute, checkInt, checkNumber, checkSignal } from './internal/check.js';
import { type Parked, park } from './internal/park.js';
import type { ExecuteOptions, Policy, PolicyContext } from './policy.js';

export interface TokenBucketOptions extends Observed {
  readonly clock: Clock;
  /** Tokens added per second of the clock. > 0. */
  readonly ratePerSecond: number;
  /** The most tokens the bucket holds (and the largest burst). Integer >= 1. Starts full. */
  readonly burst: number;
  /** The longest a caller may wait for its token; beyond it, `ERR_RATE_LIMITED` at once. Default 0. */
  readonly maxWaitMs?: number;
  /** Callers allowed to wait at once. Default 64. */
  readonly maxQueue?: number;
  /**
   * The bucket closes when this aborts (pass `node.signal`): its waiters are handed back with
   * `ERR_CLOSED` and its timer is cleared, so it keeps no process alive; later takes fail alike.
   */
  readonly signal?: AbortSignal;
}

export const TOKEN_BUCKET_DEFAULTS = Object.freeze({ maxWaitMs: 0, maxQueue: 64 });

export interface TakeOptions {
  readonly signal?: AbortSignal;
  /** Overrides the bucket's `maxWaitMs` for this call. */
  readonly maxWaitMs?: number;
}

interface Waiter {
  readonly n: number;
  readonly parked: Parked<void>;
}

/** Float slack: a refill computed at the instant it is due may come out a hair short. */
const EPSILON = 1e-9;

/**
 * A token bucket rate limiter on the node's clock: `ratePerSecond` tokens per second, at most
 * `burst` in hand. Refill is computed lazily from the clock (no timer while nobody waits); one
 * timer serves the head of the FIFO wait queue. A caller whose wait would exceed `maxWaitMs`
 * (computed exactly from the queue ahead of it) is rejected at once with `ERR_RATE_LIMITED`,
 * never parked for nothing; a waiter whose signal aborts leaves the queue with `ERR_ABORTED`.
 *
 * @example
 * const quota = new TokenBucket({ clock, ratePerSecond: 5, burst: 10, maxWaitMs: 2000 });
 * await quota.execute(() => callModel(prompt));
 */
export class TokenBucket implements Policy {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly maxWaitMs: number;
  readonly maxQueue: number;
  readonly #clock: Clock;
  readonly #emitter: Emitter;
  readonly #queue: Waiter[] = [];
  #tokens: number;
  #at: number;
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(options: TokenBucketOptions) {
    this.#clock = checkClock('clock', options?.clock);
    this.ratePerSecond = checkNumber('ratePerSecond', options.ratePerSecond, 0, true);
    this.burst = checkInt('burst', options.burst, 1);
    this.maxWaitMs = checkNumber(
      'maxWaitMs',
      options.maxWaitMs ?? TOKEN_BUCKET_DEFAULTS.maxWaitMs,
      0,
    );
    this.maxQueue = checkInt('maxQueue', options.maxQueue ?? TOKEN_BUCKET_DEFAULTS.maxQueue, 0);
    this.#emitter = new Emitter(options, this.#clock, 'token-bucket');
    this.#tokens = this.burst;
    this.#at = this.#clock.now();
    const stop = checkSignal('signal', options.signal);
    if (stop?.aborted === true) this.#close();
    else stop?.addEventListener('abort', () => this.#close(), { once: true });
  }

  /** Its node stopped: waiters get `ERR_CLOSED`, the timer goes, nothing waits again. */
  #close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    for (const w of this.#queue.splice(0)) w.parked.reject(closedBucket());
  }

  /** Tokens in hand now (fractional while refilling). */
  get tokens(): number {
    this.#refill();
    return this.#tokens;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Takes `n` tokens (an integer >= 1) if they are in hand and nobody waits ahead; never waits.
   * `now`: the bucket clock's reading, when the caller has just made it (one read, several uses);
   * a reading older than the bucket's last one refills nothing.
   */
  tryTake(n = 1, now?: number): boolean {
    checkInt('n', n, 1);
    if (this.#closed) return false;
    this.#refill(now);
    if (this.#queue.length > 0 || this.#tokens + EPSILON < n) return false;
    this.#tokens = Math.max(0, this.#tokens - n);
    return true;
  }

  /** Takes one token, waiting in FIFO order up to `maxWaitMs`. */
  take(options: TakeOptions = {}): Promise<void> {
    let maxWait: number;
    let signal: AbortSignal | undefined;
    try {
      signal = checkSignal('signal', options?.signal);
      maxWait =
        options.maxWaitMs === undefined
          ? this.maxWaitMs
          : checkNumber('maxWaitMs', options.maxWaitMs, 0);
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted === true) return Promise.reject(abortedError(signal));
    if (this.#closed) return Promise.reject(closedBucket());
    if (this.tryTake(1)) return Promise.resolve();
    const waitMs = this.#waitFor(1);
    if (waitMs > maxWait + EPSILON || this.#queue.length >= this.maxQueue) {
      return Promise.reject(this.#reject(waitMs));
    }
    const waiter: Waiter = {
      n: 1,
      parked: park<void>(this.#clock, { signal }, () => {
        const i = this.#queue.indexOf(waiter);
        if (i < 0) return undefined; // served meanwhile
        this.#queue.splice(i, 1);
        this.#arm();
        return abortedError(signal as AbortSignal);
      }),
    };
    this.#queue.push(waiter);
    this.#arm();
    return waiter.parked.promise;
  }

  async execute<T>(
    fn: (context: PolicyContext) => PromiseLike<T> | T,
    options: ExecuteOptions = {},
  ): Promise<T> {
    checkExecute(fn, options);
    await this.take(options.signal === undefined ? {} : { signal: options.signal });
    return invoke(fn, { signal: options.signal ?? NEVER });
  }

  #refill(now = this.#clock.now()): void {
    if (now > this.#at) {
      this.#tokens = Math.min(
        this.burst,
        this.#tokens + ((now - this.#at) * this.ratePerSecond) / 1000,
      );
      this.#at = now;
    }
  }

  /** Ms until `n` more tokens can be given to a newcomer behind the current queue. */
  #waitFor(n: number): number {
    let demand = n;
    for (const w of this.#queue) demand += w.n;
    return Math.max(0, ((demand - this.#tokens) * 1000) / this.ratePerSecond);
  }

  /** Serves the waiters that can be served, then arms one timer for the next. */
  #arm(): void {
    if (this.#timer !== undefined) {
      this.#clock.clearTimer(this.#timer);
      this.#timer = undefined;
    }
    this.#refill();
    for (;;) {
      const head = this.#queue[0];
      if (head === undefined) return;
      if (this.#tokens + EPSILON < head.n) break;
      this.#queue.shift();
      this.#tokens = Math.max(0, this.#tokens - head.n);
      head.parked.resolve();
    }
    const head = this.#queue[0] as Waiter;
    const delay = ((head.n - this.#tokens) * 1000) / this.ratePerSecond;
    this.#timer = this.#clock.setTimer(delay, () => {
      this.#timer = undefined;
      this.#arm();
    });
  }

  #reject(waitMs: number): ResilienceError {
    this.#emitter.emit({ type: 'ratelimit.rejected', waitMs });
    return new ResilienceError(
      'ERR_RATE_LIMITED',
      `rate limited: next token in ${Math.ceil(waitMs)} ms`,
    );
  }
}

const NEVER = new AbortController().signal;

const closedBucket = (): ResilienceError =>
  new ResilienceError('ERR_CLOSED', 'token bucket closed: its node stopped');
