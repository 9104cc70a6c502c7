import { type ActorContext, WardenError, withoutStack } from '@warden/core';

/**
 * Whether an agent's process has exited, as a field of its own: every check of a task's abort
 * reads it (the tool runner's, the model's `isRequestAborted`, the act loop's). Those checks read
 * the process's `AbortSignal` before, and V8 compiled them against its `aborted` field, which
 * every node's stop then changed: each stop sent them back to the compiler. One exit listener
 * (`ctx.onExit`, so the process makes no `AbortSignal` for it), added with its first task, sets
 * the field and aborts the signal of the task in flight, if it was made.
 */
export class ProcessExit {
  exited: boolean;
  /**
   * What the process's exit was reported with (core's `ERR_ABORTED`, made without a stack,
   * carrying the exit reason), once `exited`: the reason a task's signal aborts with when its
   * process exits, so a tool sees the same reason as `ctx.signal` of the process would give and
   * no `DOMException` is made.
   */
  reason: unknown = undefined;
  /** The run in flight, told when the process exits. */
  current: { processExited(reason: unknown): void } | undefined = undefined;
  #watching = false;

  constructor() {
    // Written twice so that V8 never takes it for a constant (see decision 0049).
    this.exited = true;
    this.exited = false;
  }

  /** Watches the process's exit, once (`ctx.onExit`: no `AbortSignal` is made for it). */
  watch(ctx: Pick<ActorContext, 'onExit'>): void {
    if (this.#watching) return;
    this.#watching = true;
    ctx.onExit((reason) => {
      this.reason = reason;
      this.exited = true;
      this.current?.processExited(reason);
    });
  }
}

/** The process of a run made without one: it never exits. */
export const NO_PROCESS = new ProcessExit();

/**
 * The reason a task's signal aborts with when its process stops through its `terminate` (a crash
 * or a stop), before core aborts the process's own signal: an `ERR_ABORTED` like that one, made
 * once and without a stack, since an `abort()` without a reason made a `DOMException`, stack
 * included, per exit. The exit reason itself is the process's (its links and monitors get it).
 */
export const PROCESS_EXITING: WardenError = Object.freeze(
  withoutStack(() => new WardenError('ERR_ABORTED', 'the agent process is exiting')),
);
