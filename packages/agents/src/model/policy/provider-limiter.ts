import { type Clock, sleep, WardenError } from '@warden/core';
import { type Permit, type ResilienceObserver, Semaphore, TokenBucket } from '@warden/resilience';
import { MODEL_POLICY_DEFAULTS } from './failure-handling.js';
import { checkInt, checkNumber } from './option-checks.js';

/** A provider's limits on one node; every field defaults from `MODEL_POLICY_DEFAULTS.limits`. */
export interface ProviderLimits {
  readonly concurrency?: number;
  readonly maxQueue?: number;
  readonly ratePerSecond?: number;
  readonly burst?: number;
  readonly maxWaitMs?: number;
}

/**
 * `tryAcquire` without the slot object: the semaphore's permit itself, which must be given back
 * once, through `giveBackPermit` (never its own `release`: the limiter may hold it back). For the
 * policy's lease, which already gives back once; internal to the package.
 */
export let takePermit: (limiter: ProviderLimiter, now: number | undefined) => Permit | undefined;
export let giveBackPermit: (limiter: ProviderLimiter, permit: Permit) => void;

/**
 * What every agent of a node shares to reach one provider: a concurrency limit (a `Semaphore`),
 * a request rate (a `TokenBucket`), and a pause. When the provider answers 429 with a
 * `Retry-After`, the whole node stops sending to it until then, and the callers that were held
 * return spread over the following `spread x Retry-After`, not all at the same instant.
 */
export class ProviderLimiter {
  readonly provider: string;
  readonly concurrency: Semaphore;
  readonly rate: TokenBucket;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #spread: number;
  #pausedUntil = 0;
  #pauseSpreadMs = 0;
  /** The concurrency allowed now: halved on a 429, one more after each full round of answers. */
  #allowed: number;
  #answers = 0;
  /** Slots held back from callers while `allowed` is below the semaphore's size. */
  readonly #withheld: Permit[] = [];

  constructor(
    provider: string,
    limits: ProviderLimits,
    clock: Clock,
    random: () => number,
    spread: number,
    observer: ResilienceObserver | undefined,
  ) {
    const d = MODEL_POLICY_DEFAULTS.limits;
    const field = (name: string) => `limits.${provider}.${name}`;
    this.provider = provider;
    this.#clock = clock;
    this.#random = random;
    this.#spread = spread;
    const named = (kind: string) => ({
      name: `${kind}:${provider}`,
      ...(observer === undefined ? {} : { observer }),
    });
    this.concurrency = new Semaphore({
      clock,
      maxConcurrent: checkInt(field('concurrency'), limits.concurrency ?? d.concurrency, 1),
      maxQueue: checkInt(field('maxQueue'), limits.maxQueue ?? d.maxQueue, 0),
      ...named('model-concurrency'),
    });
    this.rate = new TokenBucket({
      clock,
      ratePerSecond: checkNumber(
        field('ratePerSecond'),
        limits.ratePerSecond ?? d.ratePerSecond,
        1e-6,
        1e9,
      ),
      burst: checkInt(field('burst'), limits.burst ?? d.burst, 1),
      maxWaitMs: checkNumber(field('maxWaitMs'), limits.maxWaitMs ?? d.maxWaitMs, 0, 1e12),
      maxQueue: Number.MAX_SAFE_INTEGER,
      ...named('model-rate'),
    });
    this.#allowed = this.concurrency.maxConcurrent;
  }

  /** The concurrency the provider is given now (at most `concurrency.maxConcurrent`). */
  get allowed(): number {
    return this.#allowed;
  }

  /** A call was answered: after `allowed` answers in a row, one more call may run at once. */
  answered(): void {
    if (this.#allowed >= this.concurrency.maxConcurrent) return;
    if (++this.#answers < this.#allowed) return;
    this.#answers = 0;
    this.#allowed++;
    this.#withheld.pop()?.release();
  }

  /** The end of the current pause (0 when none was asked). */
  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  /**
   * The provider said `Retry-After`: nothing leaves this node for it before then, and the
   * concurrency it is given is halved (once per pause), growing back one call per full round of
   * answers (additive increase, multiplicative decrease, as TCP does with its window).
   */
  pause(retryAfterMs: number): void {
    const now = this.#clock.now();
    const until = now + retryAfterMs;
    if (until <= this.#pausedUntil) return;
    const fresh = this.#pausedUntil <= now;
    this.#pausedUntil = until;
    this.#pauseSpreadMs = retryAfterMs * this.#spread;
    if (!fresh) return;
    this.#allowed = Math.max(1, Math.floor(this.#allowed / 2));
    this.#answers = 0;
    for (
      let p = this.#excess() > 0 ? this.concurrency.tryAcquire() : undefined;
      p !== undefined;
    ) {
      this.#withheld.push(p);
      p = this.#excess() > 0 ? this.concurrency.tryAcquire() : undefined;
    }
  }

  /**
   * A slot now, if one is free, the provider is not paused and a token is in hand (taken); else
   * undefined, having taken nothing. What `acquire` gives without waiting, without a promise.
   * `now`: the clock's reading, when the caller has just made it (one read, several uses).
   */
  tryAcquire(now?: number): Permit | undefined {
    const permit = this.#take(now);
    return permit === undefined ? undefined : new ProviderLimiter.#Slot(this, permit);
  }

  static {
    takePermit = (limiter, now) => limiter.#take(now);
    giveBackPermit = (limiter, permit) => limiter.#giveBack(permit);
  }

  /** What `tryAcquire` gives, as the semaphore's own permit (see `takePermit`). */
  #take(now: number | undefined): Permit | undefined {
    if (this.#pausedUntil !== 0 && this.#pausedUntil > (now ?? this.#clock.now())) return undefined;
    const permit = this.concurrency.tryAcquire();
    if (permit === undefined) return undefined;
    if (this.rate.tryTake(1, now)) return permit;
    permit.release();
    return undefined;
  }

  /**
   * A slot, once the pause (if any) is over and a token is in hand. The slot is held until
   * `release()`, also while a stream is read.
   */
  async acquire(signal: AbortSignal): Promise<Permit> {
    const permit = await this.concurrency.acquire({ signal });
    try {
      const wait = this.#pausedUntil - this.#clock.now();
      if (wait > 0)
        await sleep(this.#clock, wait + this.#random() * this.#pauseSpreadMs, signal, pausedAbort);
      await this.rate.take({ signal });
      return new ProviderLimiter.#Slot(this, permit);
    } catch (error) {
      permit.release();
      throw error;
    }
  }

  /** Slots still to hold back to bring the concurrency down to `allowed`. */
  #excess(): number {
    return this.concurrency.maxConcurrent - this.#allowed - this.#withheld.length;
  }

  /** A caller's slot is given back: to the semaphore, or held back while `allowed` is lower. */
  #giveBack(permit: Permit): void {
    if (this.#excess() > 0) this.#withheld.push(permit);
    else permit.release();
  }

  /** A caller's slot (a class, not closures: one is made per model call). */
  static readonly #Slot = class Slot implements Permit {
    #held = true;
    readonly #limiter: ProviderLimiter;
    readonly #permit: Permit;

    constructor(limiter: ProviderLimiter, permit: Permit) {
      this.#limiter = limiter;
      this.#permit = permit;
    }

    release(): void {
      if (!this.#held) return;
      this.#held = false;
      this.#limiter.#giveBack(this.#permit);
    }
  };
}

const pausedAbort = (signal: AbortSignal): WardenError =>
  new WardenError('ERR_ABORTED', 'aborted while the provider was paused', { cause: signal.reason });
