/**
 * What a tool call needs of its task's abort: whether and why it was aborted, and a listener
 * while the call waits. An `AbortSignal` is one. An agent's run is one too, which keeps the
 * listeners added through it and calls each once when the task aborts: its `AbortSignal` is made
 * only when something reads `signal` (a tool that reads `ctx.signal`, an HTTP client), so a task
 * whose calls wait only through the run makes none.
 */
export interface TaskSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(
    type: 'abort',
    listener: () => void,
    options?: { readonly once?: boolean },
  ): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}
