/** What a policy hands to the work it runs: the signal that aborts that work. */
export interface PolicyContext {
  readonly signal: AbortSignal;
}

export interface ExecuteOptions {
  /** Aborts the work (and any wait before it). */
  readonly signal?: AbortSignal;
}

/**
 * A policy runs work on the caller's behalf and decides around it: retry it, time it out, limit
 * it, shed it. Every policy of this package has this one method, so `wrap(...)` composes them.
 */
export interface Policy {
  execute<T>(
    fn: (context: PolicyContext) => PromiseLike<T> | T,
    options?: ExecuteOptions,
  ): Promise<T>;
}

/**
 * Anything with a compatible `execute`, such as the circuit breaker of `@warden/machines`, whose
 * work function may take a context with a `signal`, or the signal itself. `wrap` adapts both.
 */
export interface PolicyLike {
  execute<T>(
    // biome-ignore lint/suspicious/noExplicitAny: the work's argument differs between policy families; wrap reads its signal either way.
    fn: (context: any) => PromiseLike<T> | T,
    options?: { readonly signal?: AbortSignal },
  ): Promise<T>;
}
