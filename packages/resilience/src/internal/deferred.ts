/** A promise with its settle functions outside, for results that settle later elsewhere. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Makes a deferred. With `handled`, its promise never counts as an unhandled rejection: for
 * results a caller is free to ignore (a queued follow-up, a replay ticket).
 */
export function deferred<T>(handled = false): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  if (handled) promise.catch(() => {});
  return { promise, resolve, reject };
}
