/** Observes a promise's outcome without ever leaving a rejection unhandled. */
export interface Outcome<T> {
  readonly done: boolean;
  readonly value: T | undefined;
  readonly error: unknown;
}

export function track<T>(promise: Promise<T>): Outcome<T> {
  const outcome = { done: false, value: undefined as T | undefined, error: undefined as unknown };
  promise.then(
    (value) => {
      outcome.done = true;
      outcome.value = value;
    },
    (error: unknown) => {
      outcome.done = true;
      outcome.error = error;
    },
  );
  return outcome;
}

/** Runs `fn` and returns what it threw (fails the test if it did not throw). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
