/**
 * One check in a process of its own, for `testkit-runs/check-2-workers-cold`: what a test file's
 * first `checkSystem` on 2 worker threads costs, with nothing compiled and no thread started
 * before it. The system's module is imported first, as a test file's imports are; the time runs
 * from the call to its answer and is printed as `{"ms": ...}`.
 *
 *   node apps/bench/dist/testkit-cold-check.js 10000
 */
import { timeCheck } from './workloads/testkit-runs.js';

const runs = Number(process.argv[2]);
if (!Number.isInteger(runs) || runs < 1) {
  throw new Error(`usage: node testkit-cold-check.js <runs>, not ${process.argv[2]}`);
}
process.stdout.write(JSON.stringify(await timeCheck(runs, 2)));
