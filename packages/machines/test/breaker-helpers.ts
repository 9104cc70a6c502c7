import type { CircuitBreaker } from '../src/index.js';

export const ok = async (): Promise<string> => 'ok';
export const down = async (): Promise<never> => {
  throw new Error('down');
};

/** A call that ends only when its signal aborts (a hung dependency). */
export const hang = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));

/** Runs one call through the breaker and returns its result or error, never throwing. */
export async function attempt(
  breaker: CircuitBreaker,
  fn: (signal: AbortSignal) => Promise<unknown>,
): Promise<unknown> {
  return breaker.execute(fn).then(
    (value) => value,
    (error: unknown) => error,
  );
}

/** `n` failing calls in a row. */
export async function failTimes(breaker: CircuitBreaker, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await attempt(breaker, down);
}
