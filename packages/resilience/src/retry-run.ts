import { ResilienceError } from './errors.js';
import type { AttemptHolder, RetryCall } from './retry.js';
import type { CallerWatch, RetryCalls, TrackedCall } from './retry-calls.js';

/**
 * One call of `RetryPolicy.execute`: the signal its attempts share, its deadline, and the cut of
 * the attempt in flight. The signal is made only when something reads it: an attempt that never
 * looks at it (and answers at once) costs no `AbortController`, whose signal is the dearest thing
 * a call would otherwise make. Aborting before anyone read it records the reason, and the signal
 * made later is born aborted with it; either way the attempt in flight is cut at once.
 *
 * Its registry (`RetryCalls`) cuts it at its deadline and when its caller aborts. It is its first
 * attempt's context too (no object of its own for the attempt that usually answers).
 */
export class RetryRun implements TrackedCall, RetryCall {
  readonly attempt = 1;
  /** The clock's reading when the call began. */
  readonly startedAt: number;
  readonly deadlineAt: number;
  readonly caller: AbortSignal | undefined;
  live = true;
  aborted = false;
  reason: unknown;
  /** Rejects the attempt in flight; set while one is awaited. */
  cut: ((reason: unknown) => void) | undefined;
  /** Gives back what the attempt in flight holds when it is cut. */
  holder: AttemptHolder | undefined;
  #controller: AbortController | undefined;
  readonly #calls: RetryCalls;
  readonly #watch: CallerWatch | undefined;

  constructor(
    startedAt: number,
    deadlineAt: number,
    caller: AbortSignal | undefined,
    calls: RetryCalls,
  ) {
    this.startedAt = startedAt;
    this.deadlineAt = deadlineAt;
    this.caller = caller;
    this.#calls = calls;
    this.#watch = calls.add(this);
  }

  /** Whether `calls` is the registry this call was begun in. */
  of(calls: RetryCalls): boolean {
    return this.#calls === calls;
  }

  get signal(): AbortSignal {
    let controller = this.#controller;
    if (controller === undefined) {
      controller = new AbortController();
      if (this.aborted) controller.abort(this.reason);
      this.#controller = controller;
    }
    return controller.signal;
  }

  /** Aborts the signal (if made: its listeners run first), then cuts the attempt in flight. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.#controller?.abort(reason);
    this.cut?.(reason);
    const holder = this.holder;
    this.holder = undefined;
    holder?.attemptCut(reason);
  }

  onCut(holder: AttemptHolder | undefined): void {
    if (holder !== undefined && this.aborted) {
      holder.attemptCut(this.reason);
      return;
    }
    this.holder = holder;
  }

  expire(): void {
    this.abort(new ResilienceError('ERR_RETRY_DEADLINE', 'retry deadline reached'));
  }

  /** The call has ended, whatever its outcome. */
  settle(): void {
    if (!this.live) return;
    this.live = false;
    this.cut = undefined;
    this.holder = undefined;
    this.#calls.settled(this.#watch);
  }
}

/**
 * What an attempt receives. `signal` is an accessor of the class (one shape for every context):
 * reading it makes the call's signal; `aborted` says whether the call was aborted without
 * making it.
 */
export class RetryAttempt {
  readonly attempt: number;
  readonly #run: RetryRun;

  constructor(run: RetryRun, attempt: number) {
    this.#run = run;
    this.attempt = attempt;
  }

  get signal(): AbortSignal {
    return this.#run.signal;
  }

  get aborted(): boolean {
    return this.#run.aborted;
  }

  onCut(holder: AttemptHolder | undefined): void {
    this.#run.onCut(holder);
  }
}
