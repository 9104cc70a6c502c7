import {
  isJSONValue,
  type LanguageModelV3CallOptions,
  type LanguageModelV3FunctionTool,
  type LanguageModelV3Message,
  type LanguageModelV3Prompt,
  type LanguageModelV3ToolChoice,
  type LanguageModelV3ToolResultOutput,
  type LanguageModelV3ToolResultPart,
} from '@ai-sdk/provider';
import {
  type Message,
  ModelCallError,
  type ModelRequest,
  type Part,
  type ToolChoice,
  type ToolResultPart,
  type ToolSpec,
} from '@warden/agents';
import type { Origin } from '../origin.js';

/**
 * Our request as V3 call options. A message the V3 prompt cannot carry (a tool call from the
 * user, text in a tool message, a tool result that is not JSON) is a `bad_request`: the request
 * is wrong, and no provider will accept it on a retry.
 */
export function toV3CallOptions(
  request: ModelRequest,
  signal: AbortSignal | undefined,
  origin: Origin,
): LanguageModelV3CallOptions {
  const prompt: LanguageModelV3Prompt = [];
  if (request.system !== undefined) prompt.push({ role: 'system', content: request.system });
  for (const [index, message] of request.messages.entries()) {
    prompt.push(toV3Message(message, index, origin));
  }
  return {
    prompt,
    ...(request.tools === undefined ? {} : { tools: request.tools.map(toV3Tool) }),
    ...(request.toolChoice === undefined ? {} : { toolChoice: toV3ToolChoice(request.toolChoice) }),
    ...(request.maxOutputTokens === undefined ? {} : { maxOutputTokens: request.maxOutputTokens }),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.stop === undefined ? {} : { stopSequences: [...request.stop] }),
    ...(signal === undefined ? {} : { abortSignal: signal }),
  };
}

function toV3Message(message: Message, index: number, origin: Origin): LanguageModelV3Message {
  const refuse = (part: Part): never => {
    throw new ModelCallError(
      'bad_request',
      `message ${index} (${message.role}) cannot carry a ${part.type} part`,
      { provider: origin.provider, model: origin.model },
    );
  };
  switch (message.role) {
    case 'user':
      return {
        role: 'user',
        content: message.content.map((part) =>
          part.type === 'text' ? { type: 'text', text: part.text } : refuse(part),
        ),
      };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content.map((part) => {
          if (part.type === 'text') return { type: 'text', text: part.text };
          if (part.type === 'tool-call') {
            return {
              type: 'tool-call',
              toolCallId: part.callId,
              toolName: part.name,
              input: part.input,
            };
          }
          return toV3ToolResult(part, index, origin);
        }),
      };
    case 'tool':
      return {
        role: 'tool',
        content: message.content.map((part) =>
          part.type === 'tool-result' ? toV3ToolResult(part, index, origin) : refuse(part),
        ),
      };
    default:
      throw new ModelCallError('bad_request', `message ${index} has an unknown role`, {
        provider: origin.provider,
        model: origin.model,
      });
  }
}

function toV3ToolResult(
  part: ToolResultPart,
  index: number,
  origin: Origin,
): LanguageModelV3ToolResultPart {
  return {
    type: 'tool-result',
    toolCallId: part.callId,
    toolName: part.name,
    output: toV3Output(part, index, origin),
  };
}

/** A string stays text; anything else must be JSON (an absent output is `null`). */
function toV3Output(
  part: ToolResultPart,
  index: number,
  origin: Origin,
): LanguageModelV3ToolResultOutput {
  if (typeof part.output === 'string') {
    return { type: part.isError === true ? 'error-text' : 'text', value: part.output };
  }
  const value = part.output === undefined ? null : part.output;
  if (!isJSONValue(value)) {
    throw new ModelCallError(
      'bad_request',
      `message ${index}: the result of tool call ${part.callId} is not JSON`,
      { provider: origin.provider, model: origin.model },
    );
  }
  return { type: part.isError === true ? 'error-json' : 'json', value };
}

function toV3Tool(tool: ToolSpec): LanguageModelV3FunctionTool {
  return {
    type: 'function',
    name: tool.name,
    inputSchema: tool.inputSchema as LanguageModelV3FunctionTool['inputSchema'],
    ...(tool.description === undefined ? {} : { description: tool.description }),
  };
}

function toV3ToolChoice(choice: ToolChoice): LanguageModelV3ToolChoice {
  return typeof choice === 'string' ? { type: choice } : { type: 'tool', toolName: choice.tool };
}
