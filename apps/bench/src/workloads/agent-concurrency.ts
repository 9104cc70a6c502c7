import type { AgentContender } from '../contenders/agent-rigs.js';
import type { Case, Metric, Sample, Workload } from '../workload.js';
import { scaled } from '../workload.js';
import { isolatedAgentSample } from './agent-isolated.js';

/** The scripted model's latency on the real clock. */
const LATENCY_MS = 5;

/**
 * Many agents at once: 1,000 tasks of 10 steps started together, the scripted model answering
 * after 5 ms on the real clock. The rate column is steps per second; `p50` and `p99` are step
 * latencies (model latency included, so 5 ms is the floor); `lag max` and `lag p99` are the
 * event loop's delay over the batch (`monitorEventLoopDelay`, 1 ms resolution): how long the
 * process could not answer anything else; `loop CPU max` the longest the main thread worked
 * between two turns of the loop (Linux only), which the wait for a core on a busy machine does
 * not inflate. Each sample in a fresh process (see `agent-concurrency-measure.ts`).
 */
export const agentConcurrency: Workload = {
  name: 'agent-concurrency',
  title: 'Concurrent agents: 10-step tasks at once on a 5 ms scripted model, real clock',
  cases(scale: number): Case[] {
    const agents = scaled(1000, scale, 5);
    const run = (contender: AgentContender) => (): Promise<Sample> =>
      isolatedAgentSample({ kind: 'concurrency', contender, agents, latencyMs: LATENCY_MS });
    return [
      {
        id: 'agent-concurrency',
        params: `${agents} agents x 10 steps at once; model latency ${LATENCY_MS} ms (real clock)`,
        metrics: METRICS,
        ops: agents * 10,
        runs: 3,
        run: {
          raw: run('raw'),
          warden: run('warden'),
          langgraph: run('langgraph'),
          'openai-agents': run('openai-agents'),
        },
      },
    ];
  },
};

const METRICS: readonly Metric[] = [
  { key: 'ms', unit: 'ms', label: 'time' },
  { key: 'p50', unit: 'ms', label: 'step p50' },
  { key: 'p99', unit: 'ms', label: 'step p99' },
  { key: 'lagMax', unit: 'ms', label: 'loop delay max' },
  { key: 'lagP99', unit: 'ms', label: 'loop delay p99' },
  { key: 'cpuLagMax', unit: 'ms', label: 'loop CPU max' },
];
