import { type Clock, sleep as coreSleep } from '@warden/core';
import { ResilienceError } from '../errors.js';

/** The error a piece rejects with when the caller's signal fires. */
export function abortedError(signal: AbortSignal): ResilienceError {
  return new ResilienceError('ERR_ABORTED', 'aborted by the caller', { cause: signal.reason });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortedError(signal);
}

/**
 * Waits `ms` on the clock: core's `sleep`, rejecting with `ERR_ABORTED` as soon as `signal`
 * fires (and clearing the timer then, so an aborted wait leaves nothing armed).
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return coreSleep(clock, ms, signal, abortedError);
}

/**
 * A controller whose signal follows `parent`: it aborts when the parent does (with the parent's
 * reason). `dispose()` detaches it from the parent, so long-lived parents do not collect listeners.
 */
export function childController(parent: AbortSignal | undefined): {
  controller: AbortController;
  dispose: () => void;
} {
  const controller = new AbortController();
  if (parent === undefined) return { controller, dispose: () => {} };
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { controller, dispose: () => {} };
  }
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  return { controller, dispose: () => parent.removeEventListener('abort', onAbort) };
}

/** Runs `fn` and always returns a promise: a synchronous throw becomes a rejection. */
export function invoke<C, T>(fn: (context: C) => PromiseLike<T> | T, context: C): Promise<T> {
  try {
    return Promise.resolve(fn(context));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Settles like `work`, unless `signal` aborts first: then it rejects at once with `onAbort()`,
 * even if the work ignores its signal and never settles. That is what keeps a policy bounded.
 */
export function raceAbort<T>(
  work: Promise<T>,
  signal: AbortSignal,
  onAbort: () => unknown,
): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(onAbort());
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onAbort());
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}
