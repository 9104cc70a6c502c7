import type { BreakerPolicy } from './breaker-options.js';
import { createWindow, type FailureWindow } from './failure-window.js';

/** `isolated` is open by hand: no timeout, no probe, until `reset()`. */
export type BreakerStateName = 'closed' | 'open' | 'half_open' | 'isolated';

/**
 * Everything a breaker knows, as plain JSON-able data. The class mutates its own copy in place
 * (no allocation per call); the machine keeps one in its context and replaces it on each event.
 */
export interface BreakerState {
  state: BreakerStateName;
  /** Bumped on every change of `state`: a permit carries it, so stale outcomes are ignored. */
  epoch: number;
  /** Failures in a row while closed (every failure policy keeps it). */
  consecutiveFailures: number;
  /** Window counters while closed; `null` under the `consecutive` policy. */
  window: FailureWindow;
  /** When the breaker last opened, and when it lets the next probe through (valid when open). */
  openedAt: number;
  retryAt: number;
  /** Consecutive re-opens: the exponent of the open timeout. */
  level: number;
  /** When the breaker last closed after having opened; `null` if it never did since a reset. */
  closedAt: number | null;
  /** Half-open: trial permits handed out, and trial successes seen. */
  trials: number;
  trialSuccesses: number;
  /** The jitter's PRNG state (uint32). */
  seed: number;
}

export function initialBreakerState(policy: BreakerPolicy, seed: number): BreakerState {
  return {
    state: 'closed',
    epoch: 0,
    consecutiveFailures: 0,
    window: createWindow(policy.failure),
    openedAt: 0,
    retryAt: 0,
    level: 0,
    closedAt: null,
    trials: 0,
    trialSuccesses: 0,
    seed: seed >>> 0,
  };
}

/** A deep copy: the machine's context must never share arrays with another snapshot. */
export function cloneBreakerState(s: BreakerState): BreakerState {
  const w = s.window;
  let window: FailureWindow = null;
  if (w?.kind === 'count') window = { ...w, outcomes: [...w.outcomes] };
  else if (w?.kind === 'time') {
    window = { ...w, ids: [...w.ids], calls: [...w.calls], failures: [...w.failures] };
  }
  return { ...s, window };
}
