/**
 * The world of the thundering-herd replay, on a TestClock. A rate-limited API (a token bucket on
 * the node's clock) answers 429 to every request over its capacity, and 100 client processes all
 * want one answer each, at the same instant: the herd that forms when a dependency comes back
 * after an outage. Every client retries its 429s through `retry()`; only the retry strategy
 * changes between runs.
 *
 * The bucket holds a single token (burst 1): like the optimistic-concurrency row of the AWS
 * Architecture Blog's "Exponential Backoff And Jitter", clients that arrive together contend and
 * only one of them wins each round. Each strategy runs `RUNS` times with the seeds 1..RUNS (one
 * seeded generator per run, shared by its clients, so the order of the draws is fixed by virtual
 * time); the table shows the means, like the blog's averaged runs. Everything is deterministic:
 * the same code always prints the same table.
 */
import { seededRandom } from '@warden/agents/testing';
import { createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { type Jitter, retry, TokenBucket } from '@warden/resilience';

export const HERD = {
  clients: 100,
  /** The API's capacity: a token every 50 ms, and no burst beyond one. */
  ratePerSecond: 20,
  burst: 1,
  /** The exponential strategies: 100 ms, 200 ms, 400 ms, ... capped at 10 s. */
  baseMs: 100,
  maxDelayMs: 10_000,
  /** Runs per strategy (seeds 1..runs). */
  runs: 10,
} as const;

export interface Strategy {
  readonly label: string;
  readonly jitter: Jitter;
  readonly baseMs: number;
  readonly maxDelayMs: number;
}

/** A fixed interval is `jitter: 'none'` with `maxDelayMs === baseMs`: every wait is the same. */
const fixed = (ms: number, label: string): Strategy => ({
  label,
  jitter: 'none',
  baseMs: ms,
  maxDelayMs: ms,
});
const exponential = (jitter: Jitter, label: string): Strategy => ({
  label,
  jitter,
  baseMs: HERD.baseMs,
  maxDelayMs: HERD.maxDelayMs,
});

export const STRATEGIES = {
  fixed100: fixed(100, 'fixed interval, 100 ms'),
  fixed1000: fixed(1000, 'fixed interval, 1 s'),
  none: exponential('none', 'exponential, no jitter'),
  equal: exponential('equal', 'exponential, equal jitter'),
  decorrelated: exponential('decorrelated', 'exponential, decorrelated jitter'),
  full: exponential('full', 'exponential, full jitter'),
} as const satisfies Record<string, Strategy>;

export type StrategyName = keyof typeof STRATEGIES;

export interface Outcome {
  /** Requests that reached the API: the first of each client and every retry. */
  readonly calls: number;
  /** Requests the API turned away with 429. */
  readonly rejected: number;
  /** When the last client got its answer (virtual ms). */
  readonly finishedMs: number;
  /** Clients that got their answer (all of them, unless a retry gave up). */
  readonly served: number;
}

/** Timer firings a run may take before the test gives up on it (far above the worst, ~6000). */
const MAX_STEPS = 100_000;

/** One run: 100 client processes, one seeded generator, one API. */
export async function herd(strategy: Strategy, seed: number): Promise<Outcome> {
  const clock = new TestClock();
  const node = createNode({ name: 'herd', clock });
  const quota = new TokenBucket({
    clock: node.clock,
    ratePerSecond: HERD.ratePerSecond,
    burst: HERD.burst,
  });
  let calls = 0;
  let rejected = 0;
  const api = () => {
    calls++;
    if (quota.tryTake()) return 'answer';
    rejected++;
    throw Object.assign(new Error('429 Too Many Requests'), { status: 429 });
  };
  const policy = retry({
    clock: node.clock,
    jitter: strategy.jitter,
    baseMs: strategy.baseMs,
    maxDelayMs: strategy.maxDelayMs,
    maxAttempts: Number.POSITIVE_INFINITY,
    deadlineMs: 3_600_000,
    random: seededRandom(seed),
  });
  let served = 0;
  let finishedMs = 0;
  for (let i = 0; i < HERD.clients; i++) {
    node.spawn(async (ctx) => {
      await policy.execute(api, { signal: ctx.signal });
      served++;
      finishedMs = clock.now();
    });
  }
  await clock.settle(); // every client makes its first call at time 0
  for (let step = 0; step < MAX_STEPS && served < HERD.clients; step++) {
    if (!(await clock.advanceToNext())) break;
  }
  await node.stop();
  return { calls, rejected, finishedMs, served };
}

export interface Row {
  readonly name: StrategyName;
  readonly label: string;
  /** Means over the runs. */
  readonly calls: number;
  readonly rejected: number;
  readonly finishedMs: number;
  /** Clients served in every run (HERD.clients when nobody gave up). */
  readonly servedEveryRun: number;
}

/** Every strategy, each over `HERD.runs` seeded runs. */
export async function compare(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [name, strategy] of Object.entries(STRATEGIES) as [StrategyName, Strategy][]) {
    let calls = 0;
    let rejected = 0;
    let finishedMs = 0;
    let servedEveryRun: number = HERD.clients;
    for (let seed = 1; seed <= HERD.runs; seed++) {
      const run = await herd(strategy, seed);
      calls += run.calls;
      rejected += run.rejected;
      finishedMs += run.finishedMs;
      servedEveryRun = Math.min(servedEveryRun, run.served);
    }
    rows.push({
      name,
      label: strategy.label,
      calls: calls / HERD.runs,
      rejected: rejected / HERD.runs,
      finishedMs: finishedMs / HERD.runs,
      servedEveryRun,
    });
  }
  return rows;
}

/** The comparison as the Markdown table that docs/patterns/retry.md shows. */
export function table(rows: readonly Row[]): string {
  const fixed = rows.find((r) => r.name === 'fixed100') as Row;
  const lines = [
    '| retries | calls to the API | of which 429 | calls vs fixed 100 ms | all work done after |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const versus =
      r === fixed ? 'baseline' : `${Math.round((100 * (r.calls - fixed.calls)) / fixed.calls)}%`;
    lines.push(
      `| ${r.label} | ${Math.round(r.calls)} | ${Math.round(r.rejected)} | ${versus} | ${(r.finishedMs / 1000).toFixed(1)} s |`,
    );
  }
  return lines.join('\n');
}
