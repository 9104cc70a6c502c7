import type { AgentContender } from '../contenders/agent-rigs.js';
import type { Case, Metric, Sample, Workload } from '../workload.js';
import { scaled } from '../workload.js';
import { isolatedAgentSample } from './agent-isolated.js';

/**
 * What an agent framework costs per step of a tool loop, beside the model and the tool: a
 * 10-step task (9 `lookup` calls, then the answer) on a model that answers from a script at once
 * (0 ms latency), checkpointing in memory, tasks run one after the other. Every contender runs
 * the same script and the same tool function (`contenders/agent-script.ts`):
 *
 * - `raw`: the bare loop, no framework: the script and the tool called directly.
 * - `warden`: `defineAgent` with a `MemoryCheckpointStore` (a commit per step and per
 *   observation), one agent process, warden's `createScriptedModel` on the system clock.
 * - `langgraph`: a `StateGraph` tool loop (agent node, `ToolNode`, `toolsCondition`) compiled
 *   with `MemorySaver`, invoked with a `thread_id`; the model a `BaseChatModel` subclass.
 * - `openai-agents`: `Agent` + `Runner.run` with tracing disabled, a custom `Model`, and a
 *   `MemorySession` per thread.
 *
 * Each sample runs in a fresh process (see `agent-isolated.ts`): the bare loop, the contender,
 * the bare loop again, after a warm-up of both. `added` is the contender's µs per step minus the
 * bare loop's, the overhead the target compares; `cpu` and `cpuAdded` are the same in CPU time,
 * which a busy machine inflates less. The suite's own warm-up rounds add nothing here (every
 * sample is a fresh process that warms itself): run with `--warmup 0`.
 */
export const agentStepOverhead: Workload = {
  name: 'agent-step-overhead',
  title: 'Agent framework overhead per step: a 10-step tool loop on a 0 ms scripted model',
  cases(scale: number): Case[] {
    const tasks = scaled(50, scale, 2);
    const run = (contender: AgentContender) => (): Promise<Sample> =>
      isolatedAgentSample({ kind: 'step-overhead', contender, tasks });
    return [
      {
        id: 'agent-step-overhead',
        params: `${tasks} tasks of 10 steps (9 tool calls, then the answer), one at a time; model latency 0 ms; checkpoints in memory`,
        metrics: METRICS,
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
  { key: 'step', unit: 'µs', label: 'per step' },
  { key: 'added', unit: 'µs', label: 'overhead per step' },
  { key: 'cpu', unit: 'µs', label: 'CPU per step' },
  { key: 'cpuAdded', unit: 'µs', label: 'CPU overhead per step' },
];
