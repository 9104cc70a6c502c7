// Imported, not the global: on Node 20 the global `performance` is a getter read at every call.
import { performance } from 'node:perf_hooks';

/**
 * The source of time for a node. Every timer, timeout, `sendAfter`, backoff and watchdog goes
 * through it, so a `TestClock` can replay half an hour of an incident in milliseconds.
 *
 * `now()` is monotonic milliseconds (not wall time): intensity windows and deadlines must not
 * jump when the system clock is adjusted.
 */
export interface Clock {
  now(): number;
  setTimer(delayMs: number, fire: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** Opaque to callers; each clock decides what it is. */
export type TimerHandle = { readonly __timer: true } | object;

/** Node's longest allowed setTimeout delay; longer timers are re-armed in steps. */
const MAX_TIMEOUT = 2_147_483_647;

class SystemClock implements Clock {
  now(): number {
    return performance.now();
  }

  setTimer(delayMs: number, fire: () => void): TimerHandle {
    const box: { t: NodeJS.Timeout | undefined } = { t: undefined };
    const arm = (remaining: number) => {
      if (remaining > MAX_TIMEOUT) {
        box.t = setTimeout(() => arm(remaining - MAX_TIMEOUT), MAX_TIMEOUT);
      } else {
        box.t = setTimeout(fire, Math.max(0, remaining));
      }
    };
    arm(delayMs);
    return box;
  }

  clearTimer(handle: TimerHandle): void {
    const t = (handle as { t?: NodeJS.Timeout }).t;
    if (t !== undefined) clearTimeout(t);
  }
}

/** The real monotonic clock, on Node's timers. */
export const systemClock: Clock = new SystemClock();
