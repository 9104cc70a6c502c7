import type { Clock } from './clock.js';

/**
 * Waits `ms` on `clock` (the node's, so a `TestClock` drives every wait). When `signal` aborts,
 * before or during the wait, the timer is cleared at once and the promise rejects with what
 * `aborted(signal)` returns: by default the signal's `reason`, as `signal.throwIfAborted()`
 * would throw; a package passes its own error (`ERR_ABORTED`, `ERR_CLOSED`, ...). Whichever
 * ends the wait, nothing stays armed: no timer, no listener.
 *
 * @example
 * await sleep(node.clock, backoffDelay(attempt, backoff, random()), signal);
 */
export function sleep(
  clock: Clock,
  ms: number,
  signal?: AbortSignal,
  aborted: (signal: AbortSignal) => unknown = (s) => s.reason,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(aborted(signal));
      return;
    }
    const onAbort = (): void => {
      clock.clearTimer(timer);
      reject(aborted(signal as AbortSignal));
    };
    const timer = clock.setTimer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
