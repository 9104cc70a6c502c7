import type { Workload } from '../workload.js';
import { agentConcurrency } from './agent-concurrency.js';
import { agentMemory } from './agent-memory.js';
import { agentStepOverhead } from './agent-step-overhead.js';
import { breakerOverhead } from './breaker-overhead.js';
import { detection } from './detection.js';
import { distribution } from './distribution.js';
import { durability } from './durability.js';
import { fanOut } from './fan-out.js';
import { fromMachineOverhead } from './from-machine.js';
import { governanceOverhead } from './governance-overhead.js';
import { memory } from './memory.js';
import { modelsPolicyOverhead } from './models-policy-overhead.js';
import { modelsStreamParse } from './models-stream-parse.js';
import { otelOverhead } from './otel-overhead.js';
import { pingPong } from './ping-pong.js';
import { restartLatency } from './restart-latency.js';
import { big } from './savina/big.js';
import { boundedBuffer } from './savina/bounded-buffer.js';
import { chameneos } from './savina/chameneos.js';
import { concurrentDictionary } from './savina/concurrent-dictionary.js';
import { counting } from './savina/counting.js';
import { forkJoinCreate } from './savina/fork-join-create.js';
import { forkJoinThroughput } from './savina/fork-join-throughput.js';
import type { AnySavinaBenchmark } from './savina/savina.js';
import { savinaWorkload } from './savina/savina.js';
import { threadRing } from './savina/thread-ring.js';
import { spawnChurn } from './spawn-churn.js';
import { supervisorScaling } from './supervisor-scaling.js';
import { testkitRuns } from './testkit-runs.js';

/** The Savina benchmarks ported, in the order the bench runs and reports them. */
export const SAVINA: readonly AnySavinaBenchmark[] = [
  counting,
  forkJoinThroughput,
  forkJoinCreate,
  threadRing,
  chameneos,
  big,
  concurrentDictionary,
  boundedBuffer,
];

/** The whole suite, in report order. */
export const WORKLOADS: readonly Workload[] = [
  pingPong,
  fanOut,
  spawnChurn,
  memory,
  restartLatency,
  supervisorScaling,
  breakerOverhead,
  fromMachineOverhead,
  distribution,
  detection,
  modelsPolicyOverhead,
  modelsStreamParse,
  agentStepOverhead,
  agentMemory,
  agentConcurrency,
  governanceOverhead,
  durability,
  otelOverhead,
  testkitRuns,
  ...SAVINA.map(savinaWorkload),
];
