import type { BreakerPolicy } from './breaker-options.js';
import type { BreakerState, BreakerStateName } from './breaker-state.js';
import { windowCalls, windowFailures } from './failure-window.js';

/** A breaker's counters at one instant (for tests, dashboards and health checks). */
export interface BreakerStats {
  readonly state: BreakerStateName;
  readonly epoch: number;
  readonly consecutiveFailures: number;
  /** Calls and failures in the sliding window (0 under the `consecutive` policy). */
  readonly calls: number;
  readonly failures: number;
  readonly trials: number;
  readonly trialSuccesses: number;
  readonly level: number;
  /** When the next probe is allowed, while open. */
  readonly retryAt: number | undefined;
}

export function statsOf(policy: BreakerPolicy, s: BreakerState, now: number): BreakerStats {
  return {
    state: s.state,
    epoch: s.epoch,
    consecutiveFailures: s.consecutiveFailures,
    calls: windowCalls(policy.failure, s.window, now),
    failures: windowFailures(policy.failure, s.window, now),
    trials: s.trials,
    trialSuccesses: s.trialSuccesses,
    level: s.level,
    retryAt: s.state === 'open' ? s.retryAt : undefined,
  };
}
