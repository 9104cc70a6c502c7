import type { Node } from '@warden/core';
import type { CheckLevel, CheckOutcome } from './check-result.js';

/** What a check gets for one run. */
export interface CheckContext {
  readonly node: Node;
  /** Aborted when the node stops. */
  readonly signal: AbortSignal;
}

/**
 * A health check: a name, a level, and a run that returns its outcome as data. A run that throws
 * counts as a failure with the error in its detail, never as a crash of the health runner.
 */
export interface HealthCheck {
  readonly name: string;
  readonly level: CheckLevel;
  readonly agent?: string;
  /** Runs again this long after the previous run ended, on the node's clock. */
  readonly everyMs: number;
  run(ctx: CheckContext): CheckOutcome | Promise<CheckOutcome>;
  /**
   * A check whose outcome changes between runs (a quality window that got a sample) calls
   * `rerun` so its result is recorded at once, not at the next tick of its schedule.
   */
  attach?(rerun: () => void): () => void;
}
