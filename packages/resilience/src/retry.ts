import {
  type Backoff,
  backoffDelay,
  backoffOptions,
  type Clock,
  DEFAULT_BACKOFF,
  type Jitter,
} from '@warden/core';
import { type Classification, type Classifier, classifyError } from './classify.js';
import { ResilienceError } from './errors.js';
import { describeError, Emitter, type Observed, type ResilienceEvent } from './events.js';
import { abortedError, sleep } from './internal/abort.js';
import {
  checkClock,
  checkExecute,
  checkFunction,
  checkInt,
  checkNumber,
  checkSignal,
  checks,
  invalidOption,
} from './internal/check.js';
import type { ExecuteOptions, Policy, PolicyContext } from './policy.js';
import type { RetryBudget } from './retry-budget.js';
import { RetryCalls } from './retry-calls.js';
import { RetryAttempt, RetryRun } from './retry-run.js';

export interface RetryOptions extends Observed {
  readonly clock: Clock;
  /** Attempts in all, the first included. Default 3. `Infinity` needs a `deadlineMs`. */
  readonly maxAttempts?: number;
  /** The first retry's backoff ceiling. Default 100 ms. */
  readonly baseMs?: number;
  /** No backoff exceeds this, nor may a `Retry-After`. Default 30 000 ms. */
  readonly maxDelayMs?: number;
  /** How delays spread below the ceiling (`Jitter` in `@warden/core`). Default `full`. */
  readonly jitter?: Jitter;
  /** Overall deadline for all attempts and waits, from the first call. Default: none. */
  readonly deadlineMs?: number;
  /** Transient or permanent; default `classifyError`. */
  readonly classify?: Classifier;
  /** A budget shared with other callers; a denied withdrawal ends the retries. */
  readonly budget?: RetryBudget;
  /** Chance in [0, 1) for jitter. Default Math.random; tests pass a seeded one. */
  readonly random?: () => number;
  /** Wall time in ms since the epoch, for HTTP-date `Retry-After`. Default Date.now. */
  readonly wallClock?: () => number;
  /**
   * Spreads a `Retry-After` wait above the server's figure: uniform in `[after, after x (1 +
   * spread))`, capped at `maxDelayMs`, so clients told the same time do not all return at that
   * instant. Default 0: wait exactly the `Retry-After` (or the backoff, if longer).
   */
  readonly retryAfterSpread?: number;
  /**
   * Stops the policy (give it `node.signal`): the calls in flight end with `ERR_CLOSED`, their
   * attempts aborted, the deadline timer is cleared, and later calls fail with `ERR_CLOSED`.
   */
  readonly signal?: AbortSignal;
}

export const RETRY_DEFAULTS = Object.freeze({
  maxAttempts: 3,
  baseMs: DEFAULT_BACKOFF.initialMs,
  maxDelayMs: DEFAULT_BACKOFF.maxMs,
  jitter: DEFAULT_BACKOFF.jitter,
  deadlineMs: Number.POSITIVE_INFINITY,
  retryAfterSpread: 0,
});

/**
 * What a retried attempt receives: its signal and which attempt it is (1 for the first). The
 * signal is made when first read (an attempt that never reads it costs no `AbortController`);
 * `aborted` tells whether the call was aborted (deadline, caller) without making it.
 */
export interface RetryContext extends PolicyContext {
  readonly attempt: number;
  readonly aborted: boolean;
  /**
   * Tells `holder` when this attempt is cut (its deadline, its caller's abort, the policy's
   * stop), so what the attempt holds (a slot, a permit) is given back even if the work it awaits
   * never settles; `undefined` stops telling. One holder per attempt: a second replaces the first.
   */
  onCut(holder: AttemptHolder | undefined): void;
}

/**
 * A call begun by `RetryPolicy.begin`, which is also its first attempt's context: `settle()` when
 * that attempt answered, or hand it to `resume`.
 */
export interface RetryCall extends RetryContext {
  /** The clock's reading when the call began (for the caller's own use of that instant). */
  readonly startedAt: number;
  /** The first attempt answered: the call ends (its deadline and its caller are let go). */
  settle(): void;
}

/** What an attempt holds that must be given back when the retry cuts it. */
export interface AttemptHolder {
  attemptCut(reason: unknown): void;
}

/** Read through a function: TypeScript narrows `signal.aborted` once and never forgets. */
function callerAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function isThenable<T>(value: PromiseLike<T> | T): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

type GiveUp = Extract<ResilienceEvent, { type: 'retry.gave_up' }>['reason'];

/**
 * Retries transient failures with exponential backoff and jitter on the node's clock.
 *
 * Guarantees: at most `maxAttempts` attempts; never past `deadlineMs` (an attempt still running
 * at the deadline is aborted through its signal and the call rejects at once); never more
 * retries than the shared `budget` allows; every wait is aborted by the caller's signal.
 *
 * Fails with the error itself when it is permanent, `ERR_RETRIES_EXHAUSTED` (attempts made,
 * last error as `cause`) when attempts run out, `ERR_RETRY_DEADLINE` when the deadline (or a
 * `Retry-After` beyond `maxDelayMs` or the deadline) ends it, `ERR_RETRY_BUDGET` when the budget
 * denies a retry, `ERR_ABORTED` when the caller aborts.
 *
 * @example
 * const policy = retry({ clock, maxAttempts: 4, baseMs: 200, jitter: 'equal' });
 * const body = await policy.execute(({ signal }) => fetchJson(url, signal));
 */
export function retry(options: RetryOptions): RetryPolicy {
  return new RetryPolicy(options);
}

export class RetryPolicy implements Policy {
  readonly maxAttempts: number;
  readonly deadlineMs: number;
  readonly backoff: Backoff;
  readonly #clock: Clock;
  readonly #classify: Classifier;
  readonly #random: () => number;
  readonly #wall: () => number;
  readonly #spread: number;
  readonly #options: RetryOptions;
  readonly #emitter: Emitter;
  /** Every call in flight: their deadlines on one timer, one listener per caller's signal. */
  readonly #calls: RetryCalls;
  #closed: ResilienceError | undefined;

  constructor(options: RetryOptions) {
    this.#clock = checkClock('clock', options?.clock);
    this.maxAttempts = checkInt(
      'maxAttempts',
      options.maxAttempts ?? RETRY_DEFAULTS.maxAttempts,
      1,
      true,
    );
    this.deadlineMs =
      options.deadlineMs === undefined
        ? RETRY_DEFAULTS.deadlineMs
        : checkNumber('deadlineMs', options.deadlineMs, 0, true);
    if (
      this.maxAttempts === Number.POSITIVE_INFINITY &&
      this.deadlineMs === Number.POSITIVE_INFINITY
    ) {
      throw invalidOption(
        'maxAttempts',
        this.maxAttempts,
        'a finite count unless deadlineMs is set',
      );
    }
    this.backoff = backoffOptions(
      { initialMs: options.baseMs, maxMs: options.maxDelayMs, jitter: options.jitter },
      checks,
      DEFAULT_BACKOFF,
      { initialMs: 'baseMs', maxMs: 'maxDelayMs' },
    );
    this.#classify = checkFunction('classify', options.classify ?? classifyError);
    this.#random = checkFunction('random', options.random ?? Math.random);
    this.#wall = checkFunction('wallClock', options.wallClock ?? Date.now);
    this.#spread = checkNumber(
      'retryAfterSpread',
      options.retryAfterSpread ?? RETRY_DEFAULTS.retryAfterSpread,
      0,
    );
    if (options.budget !== undefined && typeof options.budget?.tryWithdraw !== 'function') {
      throw invalidOption('budget', options.budget, 'a RetryBudget');
    }
    this.#options = options;
    this.#emitter = new Emitter(options, this.#clock, 'retry');
    this.#calls = new RetryCalls(this.#clock);
    const stop = checkSignal('signal', options.signal);
    if (stop?.aborted === true) this.#close();
    else stop?.addEventListener('abort', () => this.#close(), { once: true });
  }

  /** Calls in flight, and the deadline entries held for them (tests watch that it is bounded). */
  get inFlight(): {
    readonly calls: number;
    readonly entries: number;
    readonly timer: boolean;
    readonly callers: number;
  } {
    const c = this.#calls;
    return { calls: c.live, entries: c.size, timer: c.armed, callers: c.watched };
  }

  #close(): void {
    this.#closed ??= new ResilienceError('ERR_CLOSED', 'retry policy closed: its node stopped');
    for (const run of this.#calls.close()) run.abort(this.#closed);
  }

  async execute<T>(
    fn: (context: RetryContext) => PromiseLike<T> | T,
    options: ExecuteOptions = {},
  ): Promise<T> {
    const caller = checkExecute(fn, options);
    if (caller?.aborted === true) throw abortedError(caller);
    if (this.#closed !== undefined) throw this.#closed;
    return this.#attempts(this.#begin(caller), fn);
  }

  /**
   * Starts a call whose first attempt the caller makes itself, inline (a call that answers at
   * once then pays for no attempt context, no promise of the retry and no async frame). The call
   * is what `execute` would have begun: its deadline runs from now, the budget has its deposit,
   * its caller's abort and its deadline cut it. It is also the first attempt's context: give what
   * the attempt holds to `onCut`. Then either `settle()` it (the attempt answered), or hand it to
   * `resume`. `undefined` when `execute` would fail at once (the caller aborted, the policy
   * closed): call `execute` to get that failure. `unaborted`: the caller has just seen that
   * `signal` has not aborted, and nothing ran since (reading it again costs a Node getter).
   */
  begin(signal?: AbortSignal, unaborted = false): RetryCall | undefined {
    if (this.#closed !== undefined || (!unaborted && signal?.aborted === true)) return undefined;
    return this.#begin(signal);
  }

  /**
   * Goes on with a call from `begin` as `execute` would from its first attempt, which is `fn`'s
   * first call: a caller whose own first attempt failed passes an `fn` whose first call reports
   * that failure (throws it), so the retries, the waits and the errors are `execute`'s. A call
   * cut meanwhile (`aborted`) ends as `execute` ends a cut attempt, without calling `fn`'s work.
   */
  resume<T>(call: RetryCall, fn: (context: RetryContext) => PromiseLike<T> | T): Promise<T> {
    if (!(call instanceof RetryRun) || !call.of(this.#calls) || !call.live) {
      return Promise.reject(invalidOption('call', call, 'a live call begun by this policy'));
    }
    return this.#attempts(call, fn);
  }

  #begin(caller: AbortSignal | undefined): RetryRun {
    // Built for the call that succeeds at once: no signal until an attempt reads it, no timer
    // and no listener of its own (the policy's registry watches the deadlines and the callers of
    // all its calls), one promise per attempt. The caller's abort and the deadline both go
    // through `run.abort`, which also cuts the attempt in flight (after the listeners of the
    // attempt's signal, if it was made, have run).
    const now = this.#clock.now();
    const run = new RetryRun(now, now + this.deadlineMs, caller, this.#calls);
    // one clock read for the deadline and the budget's window, when they share the clock
    const budget = this.#options.budget;
    if (budget !== undefined) budget.deposit(budget.clock === this.#clock ? now : undefined);
    return run;
  }

  async #attempts<T>(run: RetryRun, fn: (context: RetryContext) => PromiseLike<T> | T): Promise<T> {
    const clock = this.#clock;
    const caller = run.caller;
    const deadlineAt = run.deadlineAt;
    let previous = this.backoff.initialMs;
    let lastError: unknown;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const work = fn(attempt === 1 ? run : new RetryAttempt(run, attempt));
          if (run.aborted) {
            // aborted while the attempt was starting: its outcome no longer matters
            Promise.resolve(work).catch(() => {});
            throw run.reason;
          }
          if (!isThenable(work)) return work;
          return await new Promise<T>((resolve, reject) => {
            run.cut = reject;
            work.then(resolve, reject);
          });
        } catch (error) {
          run.cut = undefined;
          if (run.aborted) {
            if (run.reason === this.#closed) {
              this.#giveUp('aborted', attempt, lastError ?? error, caller);
              throw this.#closed;
            }
            const reason = callerAborted(caller) ? 'aborted' : 'deadline';
            throw this.#giveUp(reason, attempt, lastError ?? error, caller);
          }
          lastError = error;
          const verdict = this.#verdict(error);
          if (!verdict.transient) throw this.#giveUp('permanent', attempt, error, caller);
          if (attempt >= this.maxAttempts) throw this.#giveUp('attempts', attempt, error, caller);
          let delay = backoffDelay(attempt, this.backoff, this.#draw(), previous);
          previous = delay;
          if (verdict.retryAfterMs !== undefined) {
            if (verdict.retryAfterMs > this.backoff.maxMs) {
              throw this.#giveUp('deadline', attempt, error, caller);
            }
            delay = Math.max(delay, this.#afterRetryAfter(verdict.retryAfterMs));
          }
          if (clock.now() + delay >= deadlineAt)
            throw this.#giveUp('deadline', attempt, error, caller);
          if (this.#options.budget?.tryWithdraw() === false) {
            throw this.#giveUp('budget', attempt, error, caller);
          }
          if (this.#emitter.active) {
            this.#emitter.emit({
              type: 'retry.scheduled',
              attempt: attempt + 1,
              delayMs: delay,
              error: describeError(error),
            });
          }
          await sleep(clock, delay, run.signal).catch(() => {
            if (run.reason === this.#closed) throw this.#closed;
            throw this.#giveUp(
              callerAborted(caller) ? 'aborted' : 'deadline',
              attempt,
              lastError,
              caller,
            );
          });
        }
      }
    } finally {
      run.settle();
    }
  }

  /** The wait a `Retry-After` asks for, spread above it (a draw only when spreading). */
  #afterRetryAfter(afterMs: number): number {
    if (this.#spread === 0 || afterMs === 0) return afterMs;
    const max = this.backoff.maxMs;
    return Math.min(max, afterMs + afterMs * this.#spread * this.#draw());
  }

  /** A chance in [0, 1) from the random source; anything else would make a NaN or endless wait. */
  #draw(): number {
    const r = this.#random();
    if (typeof r !== 'number' || !(r >= 0 && r < 1)) {
      throw invalidOption('random', r, 'a source of numbers in [0, 1)');
    }
    return r;
  }

  #verdict(error: unknown): Classification {
    const v = this.#classify(error, this.#wall());
    if (typeof v === 'boolean') return { transient: v };
    const after = (v as { retryAfterMs?: unknown } | null)?.retryAfterMs;
    if (
      typeof v !== 'object' ||
      v === null ||
      typeof v.transient !== 'boolean' ||
      (after !== undefined && !(typeof after === 'number' && after >= 0 && Number.isFinite(after)))
    ) {
      throw invalidOption('classify', v, 'a classifier answering a boolean or { transient }');
    }
    return v;
  }

  #giveUp(
    reason: GiveUp,
    attempts: number,
    error: unknown,
    caller: AbortSignal | undefined,
  ): unknown {
    if (this.#emitter.active) {
      this.#emitter.emit({ type: 'retry.gave_up', attempts, reason, error: describeError(error) });
    }
    switch (reason) {
      case 'permanent':
        return error;
      case 'aborted':
        return abortedError(caller as AbortSignal);
      case 'attempts':
        return new ResilienceError(
          'ERR_RETRIES_EXHAUSTED',
          `gave up after ${attempts} attempts: ${describeError(error)}`,
          { attempts, cause: error },
        );
      case 'deadline':
        return new ResilienceError(
          'ERR_RETRY_DEADLINE',
          `retry deadline reached after ${attempts} attempts`,
          { attempts, cause: error },
        );
      case 'budget':
        return new ResilienceError(
          'ERR_RETRY_BUDGET',
          `retry budget exhausted after ${attempts} attempts`,
          { attempts, cause: error },
        );
    }
  }
}
