import {
  Agent,
  type AgentOutputItem,
  MemorySession,
  type Model,
  type ModelRequest,
  type ModelResponse,
  Runner,
  type StreamEvent,
  setTracingDisabled,
  tool,
  Usage,
} from '@openai/agents';
import { z } from 'zod';
import { BenchCheckError } from '../check.js';
import type { AgentRig, AgentRigOptions } from './agent-rig.js';
import {
  AGENT_STEPS,
  AGENT_SYSTEM,
  AgentTally,
  agentTurn,
  LOOKUP_DESCRIPTION,
  LOOKUP_NAME,
  latency,
  taskText,
  threadOf,
} from './agent-script.js';

/**
 * The OpenAI Agents SDK: an `Agent` with the `lookup` function tool, run by a `Runner` with
 * tracing disabled, on a custom `Model` that replays the script. Its in-memory persistence is a
 * `MemorySession` per thread; the SDK writes a session once per run, not per step (it has no
 * per-step checkpoint), which spares it work the other frameworks do.
 */
export function openaiAgentRig(options: AgentRigOptions): AgentRig {
  setTracingDisabled(true);
  const tally = new AgentTally();
  const lookup = tool({
    name: LOOKUP_NAME,
    description: LOOKUP_DESCRIPTION,
    parameters: z.object({ id: z.number().int() }),
    execute: ({ id }) => tally.lookup(id),
  });
  const agent = new Agent({
    name: 'lookup',
    instructions: AGENT_SYSTEM,
    model: new ScriptedModel(tally, options),
    tools: [lookup],
  });
  const runner = new Runner({ tracingDisabled: true });
  const sessions = new Map<number, MemorySession>();
  return {
    tally,
    async run(thread: number): Promise<string> {
      const session = new MemorySession({ sessionId: `t${thread}` });
      sessions.set(thread, session);
      const result = await runner.run(agent, taskText(thread), {
        maxTurns: AGENT_STEPS * 2,
        session,
      });
      if (typeof result.finalOutput !== 'string') {
        throw new BenchCheckError('the Agents SDK ended without a text answer');
      }
      return result.finalOutput;
    },
    close: async () => {
      sessions.clear();
    },
  };
}

class ScriptedModel implements Model {
  readonly #tally: AgentTally;
  readonly #options: AgentRigOptions;

  constructor(tally: AgentTally, options: AgentRigOptions) {
    this.#tally = tally;
    this.#options = options;
  }

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    this.#tally.modelCalls++;
    const input = typeof request.input === 'string' ? [] : request.input;
    const onModelCall = this.#options.onModelCall;
    if (onModelCall !== undefined) onModelCall(threadOf(taskOf(request)));
    await latency(this.#options.latencyMs);
    let toolResults = 0;
    for (const item of input) if (item.type === 'function_call_result') toolResults++;
    const turn = agentTurn(toolResults);
    const output: AgentOutputItem[] =
      turn.kind === 'answer'
        ? [
            {
              type: 'message',
              role: 'assistant',
              status: 'completed',
              content: [{ type: 'output_text', text: turn.text }],
            },
          ]
        : [
            {
              type: 'function_call',
              callId: `call-${toolResults + 1}`,
              name: LOOKUP_NAME,
              arguments: JSON.stringify({ id: turn.id }),
              status: 'completed',
            },
          ];
    return { usage: new Usage(), output };
  }

  // biome-ignore lint/correctness/useYield: the runs never stream; asked to, it refuses
  async *getStreamedResponse(): AsyncIterable<StreamEvent> {
    throw new BenchCheckError('the scripted model does not stream');
  }
}

/** The task text: the first user message of the input. */
function taskOf(request: ModelRequest): string {
  if (typeof request.input === 'string') return request.input;
  for (const item of request.input) {
    if (item.type === 'message' && item.role === 'user') {
      const content = item.content;
      if (typeof content === 'string') return content;
      const first = content[0];
      if (first?.type === 'input_text') return first.text;
    }
  }
  return '';
}
