import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Fault } from '../fault.js';
import type { RunOptions } from '../run-schedule.js';
import { invalidOption } from '../testkit-error.js';
import type { DrawnRuns } from './draw-runs.js';

/** What a worker starts with: the system's module. */
export interface WorkerData {
  readonly module: string;
}

/** One run for a worker: the schedule, the simulation's seed and the options that are data. */
export interface RunJob {
  readonly index: number;
  readonly schedule: readonly Fault[];
  readonly seed: number;
  readonly run: Omit<RunOptions, 'invariants'>;
}

/**
 * The answer to a batch: whether each of its runs, in order, kept every invariant. A worker stops
 * a batch at its first failing run (`kept` is then shorter than the batch and ends with false).
 */
export interface BatchResult {
  readonly first: number;
  readonly kept: readonly boolean[];
}

type WorkerMessage = BatchResult | { readonly ready: boolean; readonly error?: string };

/**
 * Batches a worker is given at once, so it never idles on a round trip: the next arrives while
 * one still runs, and the worker starts it at once, its runs interleaved with the other's at
 * their awaits (each run has its own clock and nodes; running them one batch after the other
 * measured no faster).
 */
const IN_FLIGHT = 2;

/**
 * Runs a batch holds at most. A message each way per run cost the worker about as much as a
 * tenth of a small run; batches of consecutive runs pay it once for several. They shrink as the
 * check nears its end, so no worker is left with a long batch while the other waits.
 */
const MAX_BATCH = 16;

function batchSize(remaining: number, workers: number): number {
  return Math.max(1, Math.min(MAX_BATCH, Math.floor(remaining / (workers * IN_FLIGHT * 4))));
}

/** The worker's entry, by the package's own name: the built file, from sources or from dist. */
function workerEntry(): string {
  return createRequire(import.meta.url).resolve('@warden/testkit/run-worker');
}

interface PoolWorker {
  readonly worker: Worker;
  /** Resolves once the worker has loaded the module; rejects if it cannot. */
  readonly ready: Promise<void>;
  /** Where its answers go during a check. */
  onResult: ((result: BatchResult) => void) | undefined;
  onFailure: ((error: unknown) => void) | undefined;
}

/**
 * Worker threads that have loaded one system module, kept between checks: a fresh thread
 * compiles the whole runtime anew and runs its first few hundred runs several times slower, so
 * the next check of the same module (the next test of a file, the next round of a benchmark)
 * starts on warm threads. Idle, they are unreferenced: they never keep the process alive.
 */
class RunPool {
  readonly #module: string;
  readonly #execArgv: readonly string[] | undefined;
  readonly #workers: PoolWorker[] = [];
  busy = false;
  broken = false;

  constructor(module: string, execArgv: readonly string[] | undefined) {
    this.#module = module;
    this.#execArgv = execArgv;
  }

  #grow(count: number): void {
    while (this.#workers.length < count) {
      const worker = new Worker(workerEntry(), {
        workerData: { module: this.#module } satisfies WorkerData,
        ...(this.#execArgv !== undefined ? { execArgv: [...this.#execArgv] } : {}),
      });
      worker.unref();
      let loaded: (error?: unknown) => void = () => {};
      const ready = new Promise<void>((resolve, reject) => {
        loaded = (error) => (error === undefined ? resolve() : reject(error));
      });
      ready.catch(() => {}); // awaited by the check; a pool never used again must not warn
      const pw: PoolWorker = { worker, ready, onResult: undefined, onFailure: undefined };
      const fail = (error: unknown) => {
        this.broken = true;
        loaded(error);
        pw.onFailure?.(error);
      };
      worker.on('message', (message: WorkerMessage) => {
        if (!('ready' in message)) pw.onResult?.(message);
        else if (message.ready) loaded();
        else {
          fail(invalidOption('module', this.#module, `a module a worker loads (${message.error})`));
        }
      });
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`checkSystem: a worker exited (code ${code})`)));
      this.#workers.push(pw);
    }
  }

  /**
   * Runs the jobs on `count` workers, in batches of consecutive jobs, and resolves with the index
   * of the first one, in their order, that broke an invariant or threw (undefined: all kept).
   * Once a run fails no later batch is started, and the earlier ones still running are waited
   * for: the answer is the one a sequential check gives.
   */
  async firstFailure(jobs: DrawnRuns, count: number): Promise<number | undefined> {
    this.#grow(count);
    const workers = this.#workers.slice(0, count);
    for (const w of workers) w.worker.ref();
    try {
      await Promise.all(workers.map((w) => w.ready));
      return await new Promise<number | undefined>((resolve, reject) => {
        let next = 0;
        let running = 0;
        let failAt = Number.POSITIVE_INFINITY;
        const feed = (w: PoolWorker, n: number) => {
          for (let i = 0; i < n && next < Math.min(jobs.total, failAt); i++) {
            const end = Math.min(jobs.total, next + batchSize(jobs.total - next, count));
            w.worker.postMessage(jobs.slice(next, end));
            next = end;
            running++;
          }
          if (running === 0) resolve(Number.isFinite(failAt) ? failAt : undefined);
        };
        for (const w of workers) {
          w.onFailure = reject;
          w.onResult = (result) => {
            running--;
            const failed = result.kept.indexOf(false);
            if (failed >= 0 && result.first + failed < failAt) failAt = result.first + failed;
            feed(w, 1);
          };
        }
        for (const w of workers) feed(w, IN_FLIGHT);
      });
    } finally {
      for (const w of workers) {
        w.onResult = undefined;
        w.onFailure = undefined;
        w.worker.unref();
      }
    }
  }

  terminate(): void {
    for (const w of this.#workers) void w.worker.terminate();
  }
}

const POOLS = new Map<string, RunPool>();

/**
 * The first failing run of `jobs` on `workers` threads of the module's pool. Two checks of one
 * module at once do not share threads: the second gets a pool of its own for its duration.
 */
export async function firstFailure(
  start: { readonly module: string; readonly execArgv: readonly string[] | undefined },
  jobs: DrawnRuns,
  workers: number,
): Promise<number | undefined> {
  const key = JSON.stringify([start.module, start.execArgv ?? null]);
  let pool = POOLS.get(key);
  const shared = pool === undefined || !pool.busy;
  if (pool === undefined || !shared) pool = new RunPool(start.module, start.execArgv);
  if (shared) POOLS.set(key, pool);
  pool.busy = true;
  try {
    return await pool.firstFailure(jobs, workers);
  } finally {
    pool.busy = false;
    if (!shared || pool.broken) pool.terminate();
    if (pool.broken && POOLS.get(key) === pool) POOLS.delete(key);
  }
}
