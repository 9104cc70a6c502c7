import type { AgentContender } from '../contenders/agent-rigs.js';
import type { Case, Sample, Workload } from '../workload.js';
import { scaled } from '../workload.js';
import { isolatedAgentSample } from './agent-isolated.js';

/**
 * What agents cost in memory at rest, each sample in a fresh process after forced full GCs
 * (see `agent-memory-measure.ts`):
 *
 * - `agent-memory/idle`: retained heap per idle warden agent process (spawned, started, answered
 *   a `status`, waiting), 10,000 on one node; `raw` is the bare mailbox actor.
 * - `agent-memory/thread`: retained heap per finished thread of the 10-step task in each
 *   framework's in-memory persistence; `raw` is the bare transcript of the task.
 */
export const agentMemory: Workload = {
  name: 'agent-memory',
  title: 'Agent memory: heap per idle agent, and per finished 10-step thread',
  cases(scale: number): Case[] {
    const agents = scaled(10_000, scale, 10);
    const threads = scaled(200, scale, 5);
    const idle = (contender: AgentContender) => (): Promise<Sample> =>
      isolatedAgentSample({ kind: 'idle-agents', contender, agents });
    const thread = (contender: AgentContender) => (): Promise<Sample> =>
      isolatedAgentSample({ kind: 'thread-state', contender, threads });
    return [
      {
        id: 'agent-memory/idle',
        params: `${agents} idle agents on one node (raw: as many bare mailbox actors)`,
        metrics: [{ key: 'bytes', unit: 'B/actor', label: 'per idle agent' }],
        runs: 3,
        run: { raw: idle('raw'), warden: idle('warden') },
      },
      {
        id: 'agent-memory/thread',
        params: `${threads} finished threads of the 10-step task, kept by each framework's in-memory persistence (raw: the bare transcript)`,
        metrics: [{ key: 'bytes', unit: 'B/actor', label: 'per thread' }],
        runs: 3,
        run: {
          raw: thread('raw'),
          warden: thread('warden'),
          langgraph: thread('langgraph'),
          'openai-agents': thread('openai-agents'),
        },
      },
    ];
  },
};
