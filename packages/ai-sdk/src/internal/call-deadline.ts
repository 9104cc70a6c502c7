import { ModelCallError } from '@warden/agents';
import type { Clock } from '@warden/core';
import type { Origin } from '../origin.js';

/**
 * One call's signal: aborted by the caller's signal (with its reason) or by the deadline on the
 * node's clock (with a `timeout` error as the reason). `race` settles a step of the call as soon
 * as the signal aborts, even when the model ignores its signal, so a call never outlives its
 * deadline. `dispose` clears the timer and the listener; call it once the call has ended.
 */
export interface CallDeadline {
  readonly signal: AbortSignal;
  race<T>(work: PromiseLike<T>): Promise<T>;
  /** Aborts the model's work (a consumer that stopped reading a stream). */
  cancel(reason: unknown): void;
  dispose(): void;
}

export function startDeadline(
  caller: AbortSignal | undefined,
  timeoutMs: number,
  clock: Clock,
  origin: Origin,
): CallDeadline {
  const controller = new AbortController();
  const { signal } = controller;
  const onCallerAbort = () => controller.abort(caller?.reason);
  if (caller?.aborted === true) controller.abort(caller.reason);
  else caller?.addEventListener('abort', onCallerAbort, { once: true });
  const timer = signal.aborted
    ? undefined
    : clock.setTimer(timeoutMs, () =>
        controller.abort(
          new ModelCallError(
            'timeout',
            `${origin.provider}: no complete answer within ${timeoutMs} ms`,
            {
              provider: origin.provider,
              model: origin.model,
            },
          ),
        ),
      );
  return {
    signal,
    race<T>(work: PromiseLike<T>): Promise<T> {
      if (signal.aborted) return Promise.reject(signal.reason);
      return new Promise<T>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        work.then(
          (value) => {
            signal.removeEventListener('abort', onAbort);
            resolve(value);
          },
          (error: unknown) => {
            signal.removeEventListener('abort', onAbort);
            reject(error);
          },
        );
      });
    },
    cancel(reason: unknown) {
      controller.abort(reason);
    },
    dispose() {
      if (timer !== undefined) clock.clearTimer(timer);
      caller?.removeEventListener('abort', onCallerAbort);
    },
  };
}
