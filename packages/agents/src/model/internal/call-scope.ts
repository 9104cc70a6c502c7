import { type Clock, type TimerHandle, WardenError } from '@warden/core';
import { classifyFetchFailure } from '../classify-fetch-failure.js';
import { isModelCallError, ModelCallError } from '../model-call-error.js';

export interface CallScopeOptions {
  readonly clock: Clock;
  readonly timeoutMs: number;
  /** Streams only: the longest silence allowed between two chunks, once the response began. */
  readonly idleTimeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly provider: string;
  readonly model: string;
}

type StopReason = 'caller' | 'deadline' | 'idle';

/**
 * The lifetime of one HTTP exchange: a deadline on the node's clock, an idle watch for streams,
 * and the caller's signal, all ending in one `AbortController` whose signal goes to fetch.
 * Whatever stops it, the request is aborted and `failure()` says why: the caller's abort is
 * core's `ERR_ABORTED` (not a model failure: nothing should retry it or count it against the
 * provider), the deadline and the idle watch are `ModelCallError('timeout')`, anything else is
 * classified as a network failure. `dispose()` clears the timers and the caller's listener;
 * every call disposes its scope however it ends, so nothing outlives the call.
 *
 * The idle watch is one timer per quiet period, not one per chunk: chunks only record the time,
 * and the timer re-arms itself for what remains when it fires early.
 */
export class CallScope {
  readonly #options: CallScopeOptions;
  readonly #controller = new AbortController();
  #stopped: StopReason | undefined;
  #deadline: TimerHandle | undefined;
  #idle: TimerHandle | undefined;
  #lastChunk = 0;
  #reading = false;
  #onStop: (() => void) | undefined;
  #rejectStop: ((reason: unknown) => void) | undefined;
  readonly #onCallerAbort = (): void => this.#stop('caller');

  constructor(options: CallScopeOptions) {
    this.#options = options;
    const caller = options.signal;
    if (caller?.aborted === true) {
      this.#stopped = 'caller';
      return;
    }
    caller?.addEventListener('abort', this.#onCallerAbort, { once: true });
    this.#deadline = options.clock.setTimer(options.timeoutMs, () => this.#stop('deadline'));
  }

  /** Aborts the HTTP request when the scope stops. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get stopped(): boolean {
    return this.#stopped !== undefined;
  }

  /** Runs `fn` when the scope stops (cancels a body reader that may not watch the signal). */
  onStop(fn: () => void): void {
    this.#onStop = fn;
  }

  /** Settles with `work`, or rejects as soon as the scope stops, whichever comes first. */
  guard<T>(work: Promise<T>): Promise<T> {
    if (this.#stopped !== undefined) {
      work.catch(() => {});
      return Promise.reject(this.failure());
    }
    const stop = new Promise<never>((_, reject) => {
      this.#rejectStop = reject;
    });
    return Promise.race([work, stop]).finally(() => {
      this.#rejectStop = undefined;
      work.catch(() => {});
    });
  }

  /** Starts the idle watch (a stream's first chunk is awaited under it too). */
  watchIdle(): void {
    const idleMs = this.#options.idleTimeoutMs;
    if (idleMs === undefined || this.#stopped !== undefined) return;
    this.#armIdle(idleMs);
  }

  /** A read of the stream begins: the idle watch counts from now. */
  beginRead(): void {
    this.#lastChunk = this.#options.clock.now();
    this.#reading = true;
  }

  /** The read returned: the consumer's own time with the chunk is not silence. */
  endRead(): void {
    this.#reading = false;
  }

  /** The call ended early by the consumer's choice: closes the connection. */
  release(): void {
    if (this.#stopped !== undefined) return;
    this.dispose();
    this.#controller.abort();
  }

  /** The error the call ends with: why the scope stopped, or what `error` was. */
  failure(error?: unknown): Error {
    const { provider, model, timeoutMs, idleTimeoutMs } = this.#options;
    const labels = { provider, model };
    switch (this.#stopped) {
      case 'caller':
        return new WardenError('ERR_ABORTED', `${provider}: the model call was aborted`, {
          cause: this.#options.signal?.reason,
        });
      case 'deadline':
        return new ModelCallError(
          'timeout',
          `${provider}: no complete answer within ${timeoutMs} ms`,
          labels,
        );
      case 'idle':
        return new ModelCallError(
          'timeout',
          `${provider}: the stream was silent for ${idleTimeoutMs} ms`,
          labels,
        );
      default:
        return isModelCallError(error) ? error : classifyFetchFailure(error, labels);
    }
  }

  dispose(): void {
    const { clock, signal } = this.#options;
    if (this.#deadline !== undefined) clock.clearTimer(this.#deadline);
    if (this.#idle !== undefined) clock.clearTimer(this.#idle);
    this.#deadline = undefined;
    this.#idle = undefined;
    this.#onStop = undefined;
    signal?.removeEventListener('abort', this.#onCallerAbort);
  }

  #armIdle(delayMs: number): void {
    const idleMs = this.#options.idleTimeoutMs as number;
    this.#idle = this.#options.clock.setTimer(delayMs, () => {
      this.#idle = undefined;
      const quiet = this.#options.clock.now() - this.#lastChunk;
      if (!this.#reading) this.#armIdle(idleMs);
      else if (quiet >= idleMs) this.#stop('idle');
      else this.#armIdle(idleMs - quiet);
    });
  }

  #stop(reason: StopReason): void {
    if (this.#stopped !== undefined) return;
    this.#stopped = reason;
    const error = this.failure();
    this.#controller.abort(error);
    this.#rejectStop?.(error);
    const onStop = this.#onStop;
    this.dispose();
    onStop?.();
  }
}
