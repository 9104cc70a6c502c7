import {
  defineAgent,
  defineTool,
  MemoryCheckpointStore,
  type ModelClient,
  type ModelRequest,
  runTask,
} from '@warden/agents';
import { createScriptedModel, type ScriptedCall, type ScriptedTurn } from '@warden/agents/testing';
import { createNode, type Pid } from '@warden/core';
import { z } from 'zod';
import { BenchCheckError, expectEqual } from '../check.js';
import type { AgentRig, AgentRigOptions } from './agent-rig.js';
import {
  AGENT_STEPS,
  AGENT_SYSTEM,
  AgentTally,
  agentTurn,
  LOOKUP_DESCRIPTION,
  LOOKUP_NAME,
  taskText,
  threadOf,
} from './agent-script.js';

/**
 * warden: `defineAgent` with the `lookup` tool and a `MemoryCheckpointStore` (one commit per
 * step and per observation), on warden's own scripted model (`createScriptedModel`, on the
 * node's clock: the system clock), `options.agents` agent processes on one node. Its scripted
 * model keeps every request it served (`calls`), a test double's bookkeeping charged to warden.
 */
export function wardenAgentRig(options: AgentRigOptions): AgentRig {
  const tally = new AgentTally();
  const node = createNode({ name: 'bench-agents' });
  const scripted = createScriptedModel({
    clock: node.clock,
    latencyMs: options.latencyMs,
    script: (request) => scriptedTurn(request, tally),
  });
  const onModelCall = options.onModelCall;
  const model: ModelClient =
    onModelCall === undefined
      ? scripted
      : {
          provider: scripted.provider,
          model: scripted.model,
          generate: (request) => {
            onModelCall(threadOf(firstText(request)));
            return scripted.generate(request);
          },
          stream: (request) => scripted.stream(request),
        };
  const lookup = defineTool({
    name: LOOKUP_NAME,
    description: LOOKUP_DESCRIPTION,
    effect: 'read',
    input: z.object({ id: z.number().int() }),
    run: ({ id }) => tally.lookup(id),
  });
  const agent = defineAgent({
    name: 'lookup',
    model,
    system: AGENT_SYSTEM,
    tools: [lookup],
    checkpoints: new MemoryCheckpointStore(),
  });
  const pids: Pid[] = [];
  for (let i = 0; i < options.agents; i++) pids.push(node.spawn(agent));
  return {
    tally,
    async run(thread: number): Promise<string> {
      const pid = pids[thread % pids.length] as Pid;
      const result = await runTask(node, pid, { task: taskText(thread), threadId: `t${thread}` });
      expectEqual('warden task outcome', result.outcome, 'done');
      expectEqual('warden task steps', result.steps, AGENT_STEPS);
      return result.text;
    },
    dropModelLog: () => {
      (scripted.calls as ScriptedCall[]).length = 0;
    },
    close: async () => {
      await node.stop();
    },
  };
}

function firstText(request: ModelRequest): string {
  const part = request.messages[0]?.content[0];
  if (part?.type !== 'text') throw new BenchCheckError('the first message is not the task text');
  return part.text;
}

function scriptedTurn(request: ModelRequest, tally: AgentTally): ScriptedTurn {
  tally.modelCalls++;
  let toolResults = 0;
  for (const message of request.messages) {
    for (const part of message.content) if (part.type === 'tool-result') toolResults++;
  }
  const turn = agentTurn(toolResults);
  return turn.kind === 'answer'
    ? { text: turn.text }
    : { toolCalls: [{ name: LOOKUP_NAME, input: { id: turn.id } }] };
}
