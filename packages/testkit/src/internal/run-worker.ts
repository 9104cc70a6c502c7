import { parentPort, workerData } from 'node:worker_threads';
import type { Fault } from '../fault.js';
import { runSchedule } from '../run-schedule.js';
import { loadSystem } from '../system-module.js';
import type { BatchResult, RunJob, WorkerData } from './run-pool.js';

/**
 * A worker thread of checks: loads the system from its module once, then runs the batches of
 * schedules it is sent and answers, a batch at a time, whether each kept every invariant (up to
 * the first that did not: no later one of its batch runs). Everything it is sent is data: the
 * schedule, the run's seed and the run options; the functions come from the module.
 */
const port = parentPort;
if (port === null) throw new Error('run-worker: not started as a worker thread');
const data = workerData as WorkerData;

try {
  const system = await loadSystem(data.module);
  port.on('message', async (batch: readonly RunJob[]) => {
    const kept: boolean[] = [];
    for (const job of batch) {
      let ok: boolean;
      try {
        const options = { ...job.run, invariants: system.invariants };
        const outcome = await runSchedule(system.setup, job.schedule as Fault[], job.seed, options);
        ok = outcome.violations.length === 0;
      } catch {
        // A run that throws fails; the test's thread runs it again and reports the error itself.
        ok = false;
      }
      kept.push(ok);
      if (!ok) break;
    }
    port.postMessage({ first: batch[0]?.index ?? 0, kept } satisfies BatchResult);
  });
  port.postMessage({ ready: true });
} catch (error) {
  port.postMessage({ ready: false, error: error instanceof Error ? error.message : String(error) });
}
