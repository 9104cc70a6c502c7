import type { Clock } from '@warden/core';
import { MachinesError } from '../errors.js';

/** How a permitted call ended, for the breaker: `release` gives the permit back (cancelled). */
export type CallOutcome = 'success' | 'failure' | 'release';

/** Where a guarded call reports its outcome: a `CircuitBreaker`, or a breaker actor's client. */
export interface OutcomeSink {
  settle(permit: number, outcome: CallOutcome): void;
}

/** Handed to calls that have neither a caller signal nor a call timeout: it never aborts. */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;

/**
 * Runs a permitted call and reports its outcome to `sink` before the caller sees the result.
 * Without a call timeout it costs no async frame (see `runPlain`): `fn` gets the caller's signal
 * (or a signal that never aborts). With a timeout it arms one timer on `clock`; when it fires, the
 * call's signal aborts with `ERR_BREAKER_TIMEOUT`, the call counts as a failure and the caller is
 * rejected at once, whatever `fn` does next. An abort by the caller's own signal releases the
 * permit.
 */
export function runGuarded<T>(
  fn: (signal: AbortSignal) => T | PromiseLike<T>,
  permit: number,
  sink: OutcomeSink,
  isFailure: (error: unknown) => boolean,
  signal: AbortSignal | undefined,
  clock: Clock,
  timeoutMs: number | undefined,
): Promise<T> {
  return timeoutMs === undefined
    ? runPlain(fn, signal ?? NEVER_ABORTED, new PlainOutcome(sink, permit, isFailure, signal))
    : runWithDeadline(fn, permit, sink, isFailure, signal, clock, timeoutMs);
}

/**
 * What a call without a deadline reports when it ends, as the two reactions of its promise. It
 * holds no state of its own call, so a breaker makes one per permit and every call of that permit
 * (the calls of one closed period, without a caller signal) shares it: no allocation per call.
 */
export class PlainOutcome {
  readonly permit: number;
  readonly #sink: OutcomeSink;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #signal: AbortSignal | undefined;

  constructor(
    sink: OutcomeSink,
    permit: number,
    isFailure: (error: unknown) => boolean,
    signal: AbortSignal | undefined,
  ) {
    this.#sink = sink;
    this.permit = permit;
    this.#isFailure = isFailure;
    this.#signal = signal;
  }

  readonly fulfilled = <T>(value: T): T => {
    this.#sink.settle(this.permit, 'success');
    return value;
  };

  readonly rejected = (error: unknown): never => {
    this.settleError(error);
    throw error;
  };

  settleError(error: unknown): void {
    this.#sink.settle(this.permit, outcomeOf(error, this.#signal, this.#isFailure));
  }
}

/**
 * Runs a call without a deadline. The outcome is a reaction on the call's own promise and the
 * caller gets that reaction's promise, so the outcome is recorded before the caller sees the
 * result, in the same number of ticks as an `async` wrapper, but without its frame (and a
 * rejection nobody handles is still reported as unhandled).
 */
export function runPlain<T>(
  fn: (signal: AbortSignal) => T | PromiseLike<T>,
  signal: AbortSignal,
  outcome: PlainOutcome,
): Promise<T> {
  let result: T | PromiseLike<T>;
  try {
    result = fn(signal);
  } catch (error) {
    outcome.settleError(error);
    return Promise.reject(error);
  }
  // A native promise is used as it is (what `Promise.resolve` would return, without the call).
  const promise =
    result instanceof Promise && result.constructor === Promise
      ? (result as Promise<T>)
      : (Promise.resolve(result) as Promise<T>);
  return promise.then(outcome.fulfilled, outcome.rejected);
}

function runWithDeadline<T>(
  fn: (signal: AbortSignal) => T | PromiseLike<T>,
  permit: number,
  sink: OutcomeSink,
  isFailure: (error: unknown) => boolean,
  signal: AbortSignal | undefined,
  clock: Clock,
  timeoutMs: number,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const controller = new AbortController();
    let done = false;
    const end = (): boolean => {
      if (done) return false;
      done = true;
      clock.clearTimer(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = (): void => {
      if (!end()) return;
      controller.abort(signal?.reason);
      sink.settle(permit, 'release');
      reject(signal?.reason);
    };
    const timer = clock.setTimer(timeoutMs, () => {
      if (!end()) return;
      const error = new MachinesError(
        'ERR_BREAKER_TIMEOUT',
        `call exceeded its ${timeoutMs} ms timeout`,
      );
      controller.abort(error);
      sink.settle(permit, 'failure');
      reject(error);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    let result: T | PromiseLike<T>;
    try {
      result = fn(controller.signal);
    } catch (error) {
      result = Promise.reject(error);
    }
    Promise.resolve(result).then(
      (value) => {
        if (!end()) return;
        sink.settle(permit, 'success');
        resolve(value);
      },
      (error: unknown) => {
        if (!end()) return;
        sink.settle(permit, outcomeOf(error, signal, isFailure));
        reject(error);
      },
    );
  });
}

function outcomeOf(
  error: unknown,
  signal: AbortSignal | undefined,
  isFailure: (error: unknown) => boolean,
): CallOutcome {
  if (signal?.aborted === true) return 'release';
  try {
    return isFailure(error) ? 'failure' : 'success';
  } catch {
    return 'failure';
  }
}
