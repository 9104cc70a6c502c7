import type { Clock } from '@warden/core';
import { MachinesError } from '../errors.js';

/** How a permitted call ended, for the breaker: `release` gives the permit back (cancelled). */
export type CallOutcome = 'success' | 'failure' | 'release';

/** Where a guarded call reports its outcome: a `CircuitBreaker`, or a breaker actor's client. */
export interface OutcomeSink {
  settle(permit: number, outcome: CallOutcome): void;
}

/** Handed to calls that have neither a caller signal nor a call timeout: it never aborts. */
const NEVER_ABORTED: AbortSignal = new AbortController().signal;

/**
 * Runs a permitted call and reports its outcome to `sink` before the caller sees the result.
 * Without a call timeout it costs one async frame: `fn` gets the caller's signal (or a signal that
 * never aborts). With a timeout it arms one timer on `clock`; when it fires, the call's signal
 * aborts with `ERR_BREAKER_TIMEOUT`, the call counts as a failure and the caller is rejected at
 * once, whatever `fn` does next. An abort by the caller's own signal releases the permit.
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
    ? runPlain(fn, permit, sink, isFailure, signal)
    : runWithDeadline(fn, permit, sink, isFailure, signal, clock, timeoutMs);
}

async function runPlain<T>(
  fn: (signal: AbortSignal) => T | PromiseLike<T>,
  permit: number,
  sink: OutcomeSink,
  isFailure: (error: unknown) => boolean,
  signal: AbortSignal | undefined,
): Promise<T> {
  let value: T;
  try {
    value = await fn(signal ?? NEVER_ABORTED);
  } catch (error) {
    sink.settle(permit, outcomeOf(error, signal, isFailure));
    throw error;
  }
  sink.settle(permit, 'success');
  return value;
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
