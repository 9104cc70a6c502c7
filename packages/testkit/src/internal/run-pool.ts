import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Fault } from '../fault.js';
import type { RunOptions } from '../run-schedule.js';
import { invalidOption } from '../testkit-error.js';

/** What a worker starts with: the system's module and the run options that are data. */
export interface WorkerData {
  readonly module: string;
  readonly run: Omit<RunOptions, 'invariants'>;
}

export interface RunJob {
  readonly index: number;
  readonly schedule: readonly Fault[];
  readonly seed: number;
}

export interface RunResult {
  readonly index: number;
  readonly kept: boolean;
}

type WorkerMessage = RunResult | { readonly ready: boolean; readonly error?: string };

/** Runs a worker keeps queued: one running, one waiting, so it never idles on a round trip. */
const IN_FLIGHT = 2;

/** The worker's entry, by the package's own name: the built file, from sources or from dist. */
function workerEntry(): string {
  return createRequire(import.meta.url).resolve('@warden/testkit/run-worker');
}

/**
 * Runs `runs` (schedule and seed pairs, in fast-check's order) on `workers` worker threads and
 * resolves with the index of the first one, in that order, that broke an invariant or threw
 * (undefined: all kept). Once a run fails, no later run is started, and the earlier ones still
 * running are waited for: the answer is the one a sequential check would have given.
 */
export function firstFailure(
  start: WorkerData & { readonly execArgv: readonly string[] | undefined },
  runs: readonly RunJob[],
  workers: number,
): Promise<number | undefined> {
  const { module, run, execArgv } = start;
  const entry = workerEntry();
  return new Promise<number | undefined>((resolve, reject) => {
    const pool: Worker[] = [];
    let next = 0;
    let running = 0;
    let failAt = Number.POSITIVE_INFINITY;
    let done = false;
    const finish = (error: unknown, result?: number) => {
      if (done) return;
      done = true;
      for (const w of pool) void w.terminate();
      if (error !== undefined) reject(error);
      else resolve(result);
    };
    const feed = (worker: Worker, count: number) => {
      for (let i = 0; i < count && next < Math.min(runs.length, failAt); i++) {
        worker.postMessage(runs[next++]);
        running++;
      }
      if (running === 0) finish(undefined, Number.isFinite(failAt) ? failAt : undefined);
    };
    const data: WorkerData = { module, run };
    for (let w = 0; w < workers; w++) {
      const worker = new Worker(entry, {
        workerData: data,
        ...(execArgv !== undefined ? { execArgv: [...execArgv] } : {}),
      });
      pool.push(worker);
      worker.on('message', (message: WorkerMessage) => {
        if ('ready' in message) {
          if (message.ready) feed(worker, IN_FLIGHT);
          else
            finish(
              invalidOption('module', module, `a module a worker thread loads (${message.error})`),
            );
          return;
        }
        running--;
        if (!message.kept && message.index < failAt) failAt = message.index;
        feed(worker, 1);
      });
      worker.on('error', (error) => finish(error));
      worker.on('exit', (code) => {
        if (!done)
          finish(new Error(`checkSystem: a worker thread exited (code ${code}) mid-check`));
      });
    }
  });
}
