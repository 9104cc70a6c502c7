import { parentPort, workerData } from 'node:worker_threads';
import type { Fault } from '../fault.js';
import { runSchedule } from '../run-schedule.js';
import { loadSystem } from '../system-module.js';
import type { RunJob, RunResult, WorkerData } from './run-pool.js';

/**
 * A worker thread of checks: loads the system from its module once, then runs the schedules it
 * is sent and answers whether each kept every invariant. Everything it is sent is data: the
 * schedule, the run's seed and the run options; the functions come from the module.
 */
const port = parentPort;
if (port === null) throw new Error('run-worker: not started as a worker thread');
const data = workerData as WorkerData;

try {
  const system = await loadSystem(data.module);
  port.on('message', async (job: RunJob) => {
    let result: RunResult;
    try {
      const options = { ...job.run, invariants: system.invariants };
      const outcome = await runSchedule(system.setup, job.schedule as Fault[], job.seed, options);
      result = { index: job.index, kept: outcome.violations.length === 0 };
    } catch {
      // A run that throws fails; the test's thread runs it again and reports the error itself.
      result = { index: job.index, kept: false };
    }
    port.postMessage(result);
  });
  port.postMessage({ ready: true });
} catch (error) {
  port.postMessage({ ready: false, error: error instanceof Error ? error.message : String(error) });
}
