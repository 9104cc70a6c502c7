/**
 * A breaker's states as a level's health. `open` and `isolated` (opened by hand) mean: do not
 * send work here. Half-open lets a trial through, so the level is tried. Both spellings of
 * half-open are accepted: the `CircuitBreaker` of `@warden/machines` says `half_open`.
 */
export type HealthState = 'closed' | 'open' | 'half-open' | 'half_open' | 'isolated';

/** What `onStateChange` may return to unsubscribe: a function, or an xstate-style subscription. */
// biome-ignore lint/suspicious/noConfusingVoidType: a breaker whose onStateChange returns nothing still fits.
export type Unsubscribe = (() => void) | { unsubscribe(): void } | undefined | void;

/**
 * The health of one degradation level: the small face of a circuit breaker that the ladder needs.
 * The `CircuitBreaker` of `@warden/machines` satisfies it as it is, and so does
 * `FeatureFlags.health(name)`. The ladder re-reads `state` on every change, so the listener's
 * arguments do not matter.
 */
export interface LevelHealth {
  readonly state: HealthState;
  onStateChange(listener: () => void): Unsubscribe;
}

/** True unless the breaker is open or isolated. */
export function isAvailable(health: LevelHealth | undefined): boolean {
  if (health === undefined) return true;
  const state = health.state;
  return state !== 'open' && state !== 'isolated';
}

export function unsubscribe(handle: Unsubscribe): void {
  if (typeof handle === 'function') handle();
  else if (typeof handle === 'object' && handle !== null) handle.unsubscribe();
}
