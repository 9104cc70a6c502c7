/**
 * L1 liveness (the scheduler turns, the agent answers), L2 readiness (its dependencies can serve),
 * L3 functional (a golden task passes), L4 quality (sampled answers score well enough).
 */
export type CheckLevel = 'L1' | 'L2' | 'L3' | 'L4';

/** `unknown` until a check has run once (or while a quality window holds too few samples). */
export type CheckStatus = 'pass' | 'fail' | 'unknown';

/** What one run of a check found. `detail` is plain data, safe to serve as JSON. */
export interface CheckOutcome {
  readonly status: CheckStatus;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** One past run, kept in a bounded history. */
export interface CheckRun extends CheckOutcome {
  /** When the run ended, on the node's clock. */
  readonly at: number;
  /** How long it took, on the node's clock. */
  readonly durationMs: number;
}

/** A check's result as data: what `/health` serves and `Health.results()` returns. */
export interface CheckResult {
  readonly name: string;
  readonly level: CheckLevel;
  /** The agent type the check is about, if any. */
  readonly agent: string | undefined;
  readonly status: CheckStatus;
  readonly detail: Readonly<Record<string, unknown>>;
  /** When the last run ended; undefined before the first. */
  readonly lastRunAt: number | undefined;
  /** Newest last, at most `historySize` runs. */
  readonly history: readonly CheckRun[];
}
