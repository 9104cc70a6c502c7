import type { Clock, TimerHandle } from '@warden/core';

/** A caller parked until it is served, it times out, or its signal aborts. */
export interface Parked<T> {
  readonly promise: Promise<T>;
  /** Serves the caller; its timer and abort listener are removed. */
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * Parks a caller. When `timeoutMs` passes (on the clock) or `signal` aborts, `giveUp(reason)`
 * runs: it withdraws the caller from its queue and returns the error to reject with, or
 * `undefined` when the caller was already served (then nothing happens). Whatever settles the
 * caller first, the timer and the listener are always removed: nothing leaks.
 */
export function park<T>(
  clock: Clock,
  options: { readonly signal?: AbortSignal | undefined; readonly timeoutMs?: number | undefined },
  giveUp: (reason: 'timeout' | 'aborted') => unknown,
): Parked<T> {
  const { signal, timeoutMs } = options;
  let settle!: { resolve: (value: T) => void; reject: (error: unknown) => void };
  const promise = new Promise<T>((resolve, reject) => {
    settle = { resolve, reject };
  });
  let timer: TimerHandle | undefined;
  const cleanup = () => {
    if (timer !== undefined) clock.clearTimer(timer);
    timer = undefined;
    signal?.removeEventListener('abort', onAbort);
  };
  const quit = (reason: 'timeout' | 'aborted') => {
    const error = giveUp(reason);
    if (error === undefined) return;
    cleanup();
    settle.reject(error);
  };
  const onAbort = () => quit('aborted');
  signal?.addEventListener('abort', onAbort, { once: true });
  if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
    timer = clock.setTimer(timeoutMs, () => {
      timer = undefined;
      quit('timeout');
    });
  }
  return {
    promise,
    resolve: (value) => {
      cleanup();
      settle.resolve(value);
    },
    reject: (error) => {
      cleanup();
      settle.reject(error);
    },
  };
}
