import { checkExecute, invalidOption } from './internal/check.js';
import type { ExecuteOptions, Policy, PolicyContext, PolicyLike } from './policy.js';

/** Reads the signal a policy handed to its work: a context with `signal`, or a bare signal. */
function signalOf(argument: unknown, fallback: AbortSignal): AbortSignal {
  if (argument instanceof AbortSignal) return argument;
  const signal = (argument as { signal?: unknown } | null | undefined)?.signal;
  return signal instanceof AbortSignal ? signal : fallback;
}

const NEVER = new AbortController().signal;

/**
 * Composes policies, outermost first, into one policy: `wrap(retry, breaker, timeout, bulkhead)`
 * runs the work inside the bulkhead, inside the timeout, inside the breaker, inside the retry.
 * Each layer's signal is threaded to the next, so aborting the caller's signal (or a timeout
 * firing) aborts everything beneath it, down to the work itself.
 *
 * @example
 * const policy = wrap(retry({ clock, maxAttempts: 3 }), timeout(1000, { clock }));
 * const answer = await policy.execute(({ signal }) => fetchModel(prompt, signal));
 */
export function wrap(...policies: readonly PolicyLike[]): Policy {
  policies.forEach((policy, i) => {
    if (typeof (policy as { execute?: unknown } | null | undefined)?.execute !== 'function') {
      throw invalidOption(`policies[${i}]`, policy, 'a policy (an object with execute)');
    }
  });
  return {
    execute<T>(
      fn: (context: PolicyContext) => PromiseLike<T> | T,
      options: ExecuteOptions = {},
    ): Promise<T> {
      let signal: AbortSignal | undefined;
      try {
        signal = checkExecute(fn, options);
      } catch (error) {
        return Promise.reject(error);
      }
      const run = (index: number, signal: AbortSignal): Promise<T> => {
        const policy = policies[index];
        if (policy === undefined) {
          try {
            return Promise.resolve(fn({ signal }));
          } catch (error) {
            return Promise.reject(error);
          }
        }
        return policy.execute<T>(
          (argument: unknown) => run(index + 1, signalOf(argument, signal)),
          {
            signal,
          },
        );
      };
      return run(0, signal ?? NEVER);
    },
  };
}
