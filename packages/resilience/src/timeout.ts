import type { Clock } from '@warden/core';
import { ResilienceError } from './errors.js';
import { Emitter, type Observed } from './events.js';
import { abortedError, childController, invoke, raceAbort } from './internal/abort.js';
import { checkClock, checkExecute, checkNumber } from './internal/check.js';
import type { ExecuteOptions, Policy, PolicyContext } from './policy.js';

export interface TimeoutOptions extends Observed {
  readonly clock: Clock;
}

/**
 * A deadline on the node's clock. When it passes, the work's signal aborts (with the timeout
 * error as its reason) and the call rejects at once with `ERR_TIMEOUT`, even if the work ignores
 * its signal: the caller is never held past the deadline. The caller's own signal aborts it too,
 * with `ERR_ABORTED`. One timer per call, cleared as soon as the work settles.
 *
 * @example
 * const answer = await timeout(30_000, { clock }).execute(({ signal }) => model.complete(prompt, signal));
 */
export function timeout(timeoutMs: number, options: TimeoutOptions): TimeoutPolicy {
  return new TimeoutPolicy(timeoutMs, options);
}

/** Runs `fn` with a deadline: `timeout(ms, options).execute(fn, { signal })` in one call. */
export function withTimeout<T>(
  fn: (context: PolicyContext) => PromiseLike<T> | T,
  timeoutMs: number,
  options: TimeoutOptions & ExecuteOptions,
): Promise<T> {
  return new TimeoutPolicy(timeoutMs, options).execute(fn, options);
}

export class TimeoutPolicy implements Policy {
  readonly timeoutMs: number;
  readonly #clock: Clock;
  readonly #emitter: Emitter;

  constructor(timeoutMs: number, options: TimeoutOptions) {
    this.timeoutMs = checkNumber('timeoutMs', timeoutMs, 0);
    this.#clock = checkClock('clock', options?.clock);
    this.#emitter = new Emitter(options, this.#clock, 'timeout');
  }

  execute<T>(
    fn: (context: PolicyContext) => PromiseLike<T> | T,
    options: ExecuteOptions = {},
  ): Promise<T> {
    let caller: AbortSignal | undefined;
    try {
      caller = checkExecute(fn, options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (caller?.aborted === true) return Promise.reject(abortedError(caller));
    const { controller, dispose } = childController(caller);
    const timer = this.#clock.setTimer(this.timeoutMs, () => {
      this.#emitter.emit({ type: 'timeout.fired', timeoutMs: this.timeoutMs });
      controller.abort(new ResilienceError('ERR_TIMEOUT', `timed out after ${this.timeoutMs} ms`));
    });
    const work = invoke(fn, { signal: controller.signal });
    return raceAbort(work, controller.signal, () =>
      caller?.aborted === true ? abortedError(caller) : controller.signal.reason,
    ).finally(() => {
      this.#clock.clearTimer(timer);
      dispose();
    });
  }
}
