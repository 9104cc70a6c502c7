import { type Clock, WardenError, withoutStack } from '@warden/core';
import type { TaskSignal } from '../tools/task-signal.js';

/** What a model call rejects with when its caller aborts: core's `ERR_ABORTED`, as real clients. */
export function abortedError(signal: Pick<TaskSignal, 'reason'>): WardenError {
  return new WardenError('ERR_ABORTED', 'model call aborted by the caller', {
    cause: signal.reason,
  });
}

/**
 * The same, made in the abort's listener: without a stack, as core makes a call's abort there
 * (its stack would name whoever aborted, which the reason, its cause, already does).
 */
function abortedInListener(signal: TaskSignal): WardenError {
  return withoutStack(() => abortedError(signal));
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortedError(signal);
}

/**
 * Waits `ms` on the clock (`Infinity`: forever), as a provider takes its time; but never past
 * `deadlineMs` (then rejects with `onDeadline()`), and never after the caller aborts (then
 * `ERR_ABORTED`). Leaves no timer or listener behind.
 */
export function waitForAnswer(
  clock: Clock,
  ms: number,
  deadlineMs: number,
  signal: TaskSignal | undefined,
  onDeadline: () => unknown,
): Promise<void> {
  if (ms === 0) return Promise.resolve();
  if (signal?.aborted === true) return Promise.reject(abortedError(signal));
  return new Promise<void>((resolve, reject) => {
    const finish = (error?: unknown) => {
      clock.clearTimer(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onAbort = () => finish(abortedInListener(signal as TaskSignal));
    const timer =
      ms >= deadlineMs
        ? clock.setTimer(deadlineMs, () => finish(onDeadline()))
        : clock.setTimer(ms, () => finish());
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
