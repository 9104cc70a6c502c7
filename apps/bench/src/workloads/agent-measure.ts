import { BenchCheckError } from '../check.js';
import { type AgentContender, isAgentContender } from '../contenders/agent-rigs.js';
import type { Sample } from '../workload.js';
import { measureConcurrency } from './agent-concurrency-measure.js';
import { measureIdleAgents, measureThreadState } from './agent-memory-measure.js';
import { measureStepOverhead } from './agent-overhead-measure.js';

/** One sample of an agent workload, as plain data (it crosses to a child process as JSON). */
export type AgentMeasurement =
  | {
      readonly kind: 'step-overhead';
      readonly contender: AgentContender;
      readonly tasks: number;
      /** Fresh rigs warmed up before the measured one (default 1), and tasks on each. */
      readonly warmRigs?: number;
      readonly warmTasks?: number;
    }
  | { readonly kind: 'idle-agents'; readonly contender: AgentContender; readonly agents: number }
  | { readonly kind: 'thread-state'; readonly contender: AgentContender; readonly threads: number }
  | {
      readonly kind: 'concurrency';
      readonly contender: AgentContender;
      readonly agents: number;
      readonly latencyMs: number;
    };

export function measureAgent(m: AgentMeasurement): Promise<Sample> {
  switch (m.kind) {
    case 'step-overhead':
      return measureStepOverhead(m.contender, m.tasks, m.warmRigs, m.warmTasks);
    case 'idle-agents':
      return measureIdleAgents(m.contender, m.agents);
    case 'thread-state':
      return measureThreadState(m.contender, m.threads);
    case 'concurrency':
      return measureConcurrency(m.contender, m.agents, m.latencyMs);
  }
}

/** Reads a measurement from JSON, refusing anything else with a `BenchCheckError`. */
export function parseAgentMeasurement(json: string): AgentMeasurement {
  const value = JSON.parse(json) as Record<string, unknown>;
  const kinds = ['step-overhead', 'idle-agents', 'thread-state', 'concurrency'];
  const counts = ['tasks', 'agents', 'threads', 'latencyMs', 'warmRigs', 'warmTasks'].filter(
    (k) => k in value,
  );
  const valid =
    typeof value === 'object' &&
    value !== null &&
    kinds.includes(value.kind as string) &&
    isAgentContender(value.contender) &&
    counts.length > 0 &&
    counts.every((k) => Number.isInteger(value[k]) && (value[k] as number) >= 0);
  if (!valid) throw new BenchCheckError(`not an agent measurement: ${json}`);
  return value as unknown as AgentMeasurement;
}
