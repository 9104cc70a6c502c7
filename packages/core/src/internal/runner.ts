/** Thrown by `ctx.exit(reason)` to unwind the caller's code after the process has ended. */
export const PROCESS_EXIT: unique symbol = Symbol('warden.process-exit');

export function isProcessExit(value: unknown): boolean {
  return value === PROCESS_EXIT;
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * The promise a fenced process gets instead of a result: its code after a kill never resumes. A
 * new one each time: a shared one would keep every frame ever suspended on it (its reactions)
 * for the life of the node, where a fresh one goes with the frame that waits on it.
 */
export function never(): Promise<never> {
  return new Promise<never>(() => {});
}
