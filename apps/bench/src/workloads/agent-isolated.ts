import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BenchCheckError } from '../check.js';
import type { Sample } from '../workload.js';
import { type AgentMeasurement, measureAgent } from './agent-measure.js';

const PROBE = fileURLToPath(new URL('./agent-probe.js', import.meta.url));

/**
 * Takes one agent-workload sample in a fresh `node --expose-gc` process (`agent-probe.js`), or
 * here when the probe is not built (tests run the sources).
 *
 * A process of its own per sample, because the frameworks change the process they run in:
 * after one LangGraph run in the same process, the bare loop's steps took 1.3 to 1.5 µs instead
 * of 0.7, and warden's 320 to 350 µs instead of 215 (LangChain runs every call inside an
 * `AsyncLocalStorage`, which turns on Node's promise hooks for every promise made afterwards).
 * Measured apart, each framework pays only for itself; the bare loop is measured in every
 * sample's process, beside the contender.
 */
export function isolatedAgentSample(measurement: AgentMeasurement): Promise<Sample> {
  if (!existsSync(PROBE)) return measureAgent(measurement);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', PROBE, JSON.stringify(measurement)],
      { maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error !== null) {
          const what = `${measurement.kind} ${measurement.contender}`;
          reject(new BenchCheckError(`agent probe for ${what} failed: ${stderr || error.message}`));
          return;
        }
        resolve(JSON.parse(stdout) as Sample);
      },
    );
  });
}
