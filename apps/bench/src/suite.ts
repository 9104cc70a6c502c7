import type { Machine } from './machine.js';
import { measureOnce, settleHeap } from './measure.js';
import { type Summary, summarize } from './stats.js';
import type { Case, ContenderName, Metric, Sample, Workload } from './workload.js';

export interface SuiteOptions {
  readonly scale: number;
  /** Recorded runs for every case; when undefined each case's own default (5, heavy ones 3). */
  readonly runs: number | undefined;
  readonly warmup: number;
  readonly contenders: readonly ContenderName[];
  /** Case ids or prefixes (`savina`, `spawn-churn/all-live`); empty means all. */
  readonly only: readonly string[];
  readonly timeoutMs: number;
}

export interface ContenderResult {
  readonly contender: ContenderName;
  readonly samples: readonly Sample[];
  /** Per metric key, over the recorded runs. */
  readonly summary: Readonly<Record<string, Summary>>;
  readonly error?: string;
}

export interface CaseResult {
  readonly id: string;
  readonly title: string;
  readonly params: string;
  readonly metrics: readonly Metric[];
  readonly ops?: number;
  /** The contender ratios are taken against; `raw` when absent. */
  readonly baseline?: ContenderName;
  readonly runs: number;
  readonly results: readonly ContenderResult[];
}

export const DEFAULT_RUNS = 5;

/** True when `id` is selected by `only` (an exact id, or a prefix ending at a `/`). */
export function selects(only: readonly string[], id: string): boolean {
  return only.length === 0 || only.some((token) => id === token || id.startsWith(`${token}/`));
}

/**
 * Runs every selected case for every selected contender that can express it, all in the same
 * process and the same run, so ratios against raw compare like with like. Runs are interleaved
 * (raw, warden, xstate, nact, raw, ...) after one warm-up round, so that drift during a case
 * (heap growth, JIT, the machine) falls on every contender alike. A contender that fails (its
 * check throws, or it times out) is reported with its error and the suite goes on.
 */
export async function runSuite(
  workloads: readonly Workload[],
  options: SuiteOptions,
  log: (line: string) => void,
): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for (const workload of workloads) {
    for (const c of workload.cases(options.scale)) {
      if (!selects(options.only, c.id)) continue;
      const runs = options.runs ?? c.runs ?? DEFAULT_RUNS;
      out.push({
        id: c.id,
        title: workload.title,
        params: c.params,
        metrics: c.metrics,
        ...(c.ops === undefined ? {} : { ops: c.ops }),
        ...(c.baseline === undefined ? {} : { baseline: c.baseline }),
        runs,
        results: await runCase(c, runs, options, log),
      });
    }
  }
  return out;
}

interface Entry {
  readonly contender: ContenderName;
  readonly run: () => Promise<Sample>;
  readonly samples: Sample[];
  error?: string;
}

async function runCase(
  c: Case,
  runs: number,
  options: SuiteOptions,
  log: (line: string) => void,
): Promise<ContenderResult[]> {
  const primary = c.metrics[0] as Metric;
  const entries: Entry[] = [];
  for (const contender of options.contenders) {
    const run = c.run[contender];
    if (run !== undefined) entries.push({ contender, run, samples: [] });
  }
  await settleHeap();
  for (let round = 0; round < options.warmup + runs; round++) {
    const warm = round < options.warmup;
    const label = warm ? `warm-up ${round + 1}` : `run ${round + 1 - options.warmup}/${runs}`;
    for (const entry of entries) {
      if (entry.error !== undefined) continue;
      try {
        const sample = await measureOnce(entry.run, options.timeoutMs);
        log(
          `${c.id} ${entry.contender} ${label}: ${primary.key}=${sample[primary.key]?.toFixed(2)}`,
        );
        if (!warm) entry.samples.push(sample);
      } catch (error) {
        entry.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        log(`${c.id} ${entry.contender} FAILED: ${entry.error}`);
      }
    }
  }
  return entries.map(({ contender, samples, error }) => {
    if (error !== undefined) return { contender, samples, summary: {}, error };
    const summary: Record<string, Summary> = {};
    for (const metric of c.metrics) {
      summary[metric.key] = summarize(samples.map((s) => s[metric.key] ?? Number.NaN));
    }
    return { contender, samples, summary };
  });
}

export interface SuiteResult {
  readonly schema: 1;
  readonly date: string;
  readonly command: string;
  /** The git commit measured (see `describeRevision`). */
  readonly revision: string;
  readonly machine: Machine;
  /** 1-minute load average before and after: above the core count, other work shared the CPUs. */
  readonly load: { readonly before: number; readonly after: number };
  readonly options: SuiteOptions;
  /** False when node ran without --expose-gc: memory numbers are then meaningless. */
  readonly gc: boolean;
  readonly durationS: number;
  readonly cases: readonly CaseResult[];
}
