/**
 * What a tool call needs of its task's abort: whether and why it was aborted, and a listener
 * while the call waits. An `AbortSignal` is one. An agent's run is one too, whose `AbortSignal`
 * is made only when a listener is added (a call that answers synchronously never adds one), so
 * a task whose calls never wait makes none.
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
