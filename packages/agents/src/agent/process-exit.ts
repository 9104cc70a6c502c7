/**
 * Whether an agent's process has exited, as a field of its own: every check of a task's abort
 * reads it (the tool runner's, the model's `isRequestAborted`, the act loop's). Those checks read
 * the process's `AbortSignal` before, and V8 compiled them against its `aborted` field, which
 * every node's stop then changed: each stop sent them back to the compiler. One listener on the
 * process's signal, added with its first task, sets the field and aborts the signal of the task in
 * flight, if it was made.
 */
export class ProcessExit {
  exited: boolean;
  /** The run in flight, told when the process exits. */
  current: { processExited(): void } | undefined = undefined;
  #watching = false;

  constructor() {
    // Written twice so that V8 never takes it for a constant (see decision 0049).
    this.exited = true;
    this.exited = false;
  }

  /** Watches the process's signal, once. */
  watch(signal: AbortSignal): void {
    if (this.#watching) return;
    this.#watching = true;
    if (signal.aborted) {
      this.exited = true;
      return;
    }
    signal.addEventListener(
      'abort',
      () => {
        this.exited = true;
        this.current?.processExited();
      },
      { once: true },
    );
  }
}

/** The process of a run made without one: it never exits. */
export const NO_PROCESS = new ProcessExit();
