import type { Clock } from '@warden/core';
import { ResilienceError } from './errors.js';
import { Emitter, type Observed } from './events.js';
import { abortedError, invoke } from './internal/abort.js';
import { checkClock, checkExecute, checkInt, checkNumber, checkSignal } from './internal/check.js';
import { type Parked, park } from './internal/park.js';
import type { ExecuteOptions, Policy, PolicyContext } from './policy.js';

export interface SemaphoreOptions extends Observed {
  readonly clock: Clock;
  /** Work allowed to run at once. Integer >= 1. */
  readonly maxConcurrent: number;
  /** Callers allowed to wait for a slot; beyond it, `ERR_BULKHEAD_FULL`. Default 64. */
  readonly maxQueue?: number;
}

export const SEMAPHORE_DEFAULTS = Object.freeze({ maxQueue: 64 });

export interface AcquireOptions {
  /** Gives up waiting (`ERR_ABORTED`); the place in the queue is freed. */
  readonly signal?: AbortSignal;
  /** Gives up waiting after this many ms on the clock (`ERR_BULKHEAD_FULL`). */
  readonly timeoutMs?: number;
}

/** A held slot. `release()` is idempotent: a second call does nothing. */
export interface Permit {
  release(): void;
}

/**
 * A counting semaphore with a bounded FIFO wait queue: the bulkhead pattern. At most
 * `maxConcurrent` holders at any instant (invariant, checked by a property test under random
 * interleavings); at most `maxQueue` waiters, and the next is rejected with `ERR_BULKHEAD_FULL`;
 * a waiter whose signal aborts leaves the queue at once with `ERR_ABORTED`. A released slot goes
 * straight to the oldest waiter, so no late arrival overtakes the queue.
 *
 * @example
 * const pool = bulkhead({ clock, maxConcurrent: 4, maxQueue: 16 });
 * const summary = await pool.execute(({ signal }) => summarise(doc, signal));
 */
export class Semaphore implements Policy {
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  readonly #clock: Clock;
  readonly #emitter: Emitter;
  readonly #waiters = new Set<Parked<Permit>>();
  #running = 0;

  constructor(options: SemaphoreOptions) {
    this.#clock = checkClock('clock', options?.clock);
    this.maxConcurrent = checkInt('maxConcurrent', options.maxConcurrent, 1);
    this.maxQueue = checkInt('maxQueue', options.maxQueue ?? SEMAPHORE_DEFAULTS.maxQueue, 0, true);
    this.#emitter = new Emitter(options, this.#clock, 'bulkhead');
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#waiters.size;
  }

  get available(): number {
    return this.maxConcurrent - this.#running;
  }

  /** A slot now, or undefined (never waits, never rejects). */
  tryAcquire(): Permit | undefined {
    if (this.#running >= this.maxConcurrent) return undefined;
    this.#running++;
    return this.#permit();
  }

  /** Waits for a slot in FIFO order. */
  acquire(options: AcquireOptions = {}): Promise<Permit> {
    let signal: AbortSignal | undefined;
    let timeoutMs: number | undefined;
    try {
      signal = checkSignal('signal', options?.signal);
      timeoutMs =
        options.timeoutMs === undefined
          ? undefined
          : checkNumber('timeoutMs', options.timeoutMs, 0);
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted === true) return Promise.reject(abortedError(signal));
    if (this.#waiters.size === 0) {
      const now = this.tryAcquire();
      if (now !== undefined) return Promise.resolve(now);
    }
    if (this.#waiters.size >= this.maxQueue) return Promise.reject(this.#reject());
    const waiter: Parked<Permit> = park(this.#clock, { signal, timeoutMs }, (reason) => {
      if (!this.#waiters.delete(waiter)) return undefined; // served meanwhile
      return reason === 'aborted' ? abortedError(signal as AbortSignal) : this.#reject();
    });
    this.#waiters.add(waiter);
    return waiter.promise;
  }

  /** Runs `fn` in a slot, waiting for one if needed; the slot is released however `fn` ends. */
  async execute<T>(
    fn: (context: PolicyContext) => PromiseLike<T> | T,
    options: ExecuteOptions = {},
  ): Promise<T> {
    checkExecute(fn, options);
    const permit = await this.acquire(
      options.signal === undefined ? {} : { signal: options.signal },
    );
    try {
      return await invoke(fn, { signal: options.signal ?? NEVER });
    } finally {
      permit.release();
    }
  }

  #permit(): Permit {
    return new Semaphore.#Held(this);
  }

  /** A slot given back: to the oldest waiter, if any (`running` then does not change). */
  #release(): void {
    if (this.#waiters.size === 0) {
      this.#running--;
      return;
    }
    const next = this.#waiters.values().next().value as Parked<Permit>;
    this.#waiters.delete(next);
    next.resolve(this.#permit());
  }

  /** A held slot (a class, not a closure and its context: one is made per acquire). */
  static readonly #Held = class Held implements Permit {
    #semaphore: Semaphore | undefined;

    constructor(semaphore: Semaphore) {
      this.#semaphore = semaphore;
    }

    release(): void {
      const semaphore = this.#semaphore;
      if (semaphore === undefined) return;
      this.#semaphore = undefined;
      semaphore.#release();
    }
  };

  #reject(): ResilienceError {
    this.#emitter.emit({
      type: 'bulkhead.rejected',
      running: this.#running,
      queued: this.#waiters.size,
    });
    return new ResilienceError(
      'ERR_BULKHEAD_FULL',
      `bulkhead full: ${this.#running} running, ${this.#waiters.size} waiting`,
    );
  }
}

const NEVER = new AbortController().signal;

/** A bulkhead: a `Semaphore` used as a policy (`bulkhead(...).execute(fn)`). */
export function bulkhead(options: SemaphoreOptions): Semaphore {
  return new Semaphore(options);
}
