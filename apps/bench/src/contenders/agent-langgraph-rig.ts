import type { BaseLanguageModelInput } from '@langchain/core/language_models/base';
import type { BaseChatModelCallOptions } from '@langchain/core/language_models/chat_models';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import {
  AIMessage,
  type AIMessageChunk,
  type BaseMessage,
  HumanMessage,
  SystemMessage,
} from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import type { Runnable } from '@langchain/core/runnables';
import { type StructuredToolInterface, tool } from '@langchain/core/tools';
import { convertToOpenAITool } from '@langchain/core/utils/function_calling';
import { END, MemorySaver, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { ToolNode, toolsCondition } from '@langchain/langgraph/prebuilt';
import { z } from 'zod';
import { BenchCheckError } from '../check.js';
import type { AgentRig, AgentRigOptions } from './agent-rig.js';
import {
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
 * LangGraph.js: the tool loop as its docs build it, a `StateGraph` over `MessagesAnnotation`
 * with an agent node (the model bound to the tool) and a `ToolNode`, joined by `toolsCondition`,
 * compiled with a `MemorySaver` and invoked with a `thread_id` (a checkpoint per super-step).
 * The model is a `BaseChatModel` that replays the script.
 */
export function langgraphAgentRig(options: AgentRigOptions): AgentRig {
  const tally = new AgentTally();
  const lookup = tool(({ id }: { id: number }) => tally.lookup(id), {
    name: LOOKUP_NAME,
    description: LOOKUP_DESCRIPTION,
    schema: z.object({ id: z.number().int() }),
  });
  const model = new ScriptedChatModel(tally, options).bindTools([lookup]);
  const graph = new StateGraph(MessagesAnnotation)
    .addNode('agent', async (state: typeof MessagesAnnotation.State) => ({
      messages: [await model.invoke([new SystemMessage(AGENT_SYSTEM), ...state.messages])],
    }))
    .addNode('tools', new ToolNode([lookup]))
    .addEdge(START, 'agent')
    .addConditionalEdges('agent', toolsCondition, ['tools', END])
    .addEdge('tools', 'agent')
    .compile({ checkpointer: new MemorySaver() });
  return {
    tally,
    async run(thread: number): Promise<string> {
      const state = await graph.invoke(
        { messages: [new HumanMessage(taskText(thread))] },
        { configurable: { thread_id: `t${thread}` }, recursionLimit: 50 },
      );
      const last = state.messages.at(-1);
      if (last === undefined || typeof last.content !== 'string') {
        throw new BenchCheckError('LangGraph ended without a text answer');
      }
      return last.content;
    },
    close: async () => {},
  };
}

/** Replays the script; `bindTools` binds the tools' JSON schemas, as the provider models do. */
class ScriptedChatModel extends BaseChatModel {
  readonly #tally: AgentTally;
  readonly #options: AgentRigOptions;

  constructor(tally: AgentTally, options: AgentRigOptions) {
    super({});
    this.#tally = tally;
    this.#options = options;
  }

  _llmType(): string {
    return 'scripted';
  }

  override bindTools(
    tools: StructuredToolInterface[],
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, BaseChatModelCallOptions> {
    return this.withConfig({
      tools: tools.map((t) => convertToOpenAITool(t)),
    } as Partial<BaseChatModelCallOptions>);
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.#tally.modelCalls++;
    const onModelCall = this.#options.onModelCall;
    if (onModelCall !== undefined) {
      const task = messages.find((m) => m.getType() === 'human');
      onModelCall(threadOf(typeof task?.content === 'string' ? task.content : ''));
    }
    await latency(this.#options.latencyMs);
    let toolResults = 0;
    for (const m of messages) if (m.getType() === 'tool') toolResults++;
    const turn = agentTurn(toolResults);
    const message =
      turn.kind === 'answer'
        ? new AIMessage(turn.text)
        : new AIMessage({
            content: '',
            tool_calls: [
              {
                id: `call-${toolResults + 1}`,
                name: LOOKUP_NAME,
                args: { id: turn.id },
                type: 'tool_call',
              },
            ],
          });
    const text = turn.kind === 'answer' ? turn.text : '';
    return { generations: [{ text, message }] };
  }
}
