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
 * the bare loop again, after a warm-up of both. `agent-step-overhead` warms each up on one rig of
 * 100 tasks, as the first figures were taken; `agent-step-overhead/steady` on three fresh
 * rigs of 300 tasks each, then measures 200 tasks: the cost of a step once the JIT is done with
 * it, which is what a long-running node pays. `added` is the contender's µs per step minus the
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
    const steadyTasks = scaled(200, scale, 2);
    const warmTasks = scaled(300, scale, 2);
    const steady = (contender: AgentContender) => (): Promise<Sample> =>
      isolatedAgentSample({
        kind: 'step-overhead',
        contender,
        tasks: steadyTasks,
        warmRigs: STEADY_WARM_RIGS,
        warmTasks,
      });
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
      {
        id: 'agent-step-overhead/steady',
        params: `${steadyTasks} tasks as above on a fresh rig, after ${STEADY_WARM_RIGS} fresh rigs of ${warmTasks} tasks each`,
        metrics: METRICS,
        runs: 3,
        run: {
          raw: steady('raw'),
          warden: steady('warden'),
          langgraph: steady('langgraph'),
          'openai-agents': steady('openai-agents'),
        },
      },
    ];
  },
};

/**
 * Rigs warmed up before the steady case's measured one. After one rig of 100 tasks, warden's
 * step was still being compiled: its process spent more CPU in V8's compiler threads than in
 * its own, on functions reaching the optimizing tier late and on code dropped when the first
 * rig's node stopped (a field first written then, such as a process's `dead`, loses the
 * constancy compiled code assumed). In trials, three rigs of 300 tasks took warden and the
 * Agents SDK past both (their CPU per step no longer fell from one batch of tasks to the next).
 */
const STEADY_WARM_RIGS = 3;

const METRICS: readonly Metric[] = [
  { key: 'step', unit: 'µs', label: 'per step' },
  { key: 'added', unit: 'µs', label: 'overhead per step' },
  { key: 'cpu', unit: 'µs', label: 'CPU per step' },
  { key: 'cpuAdded', unit: 'µs', label: 'CPU overhead per step' },
];
