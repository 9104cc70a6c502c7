import {
  type LanguageModelV3CallOptions,
  type LanguageModelV3Message,
  type LanguageModelV3ToolChoice,
  type LanguageModelV3ToolResultOutput,
  type SharedV3Warning,
  UnsupportedFunctionalityError,
} from '@ai-sdk/provider';
import type { Message, ModelRequest, Part, ToolChoice, ToolSpec } from '@warden/agents';

export interface ConvertedRequest {
  readonly request: ModelRequest;
  readonly warnings: SharedV3Warning[];
}

/** Sampling settings warden's request has no field for: dropped, each with a warning. */
const UNSUPPORTED_SETTINGS = [
  'topP',
  'topK',
  'presencePenalty',
  'frequencyPenalty',
  'seed',
] as const;

/**
 * V3 call options as our request. What warden's conversation cannot hold is refused with the AI
 * SDK's `UnsupportedFunctionalityError` (files, tool approvals: dropping them would change what
 * the model is asked); what only tunes the call (sampling settings, a JSON response format,
 * provider tools, reasoning replayed from an earlier turn) is dropped with a warning, as AI SDK
 * providers do. System messages are joined, in order, into the one system prompt.
 */
export function fromV3CallOptions(options: LanguageModelV3CallOptions): ConvertedRequest {
  const warnings: SharedV3Warning[] = [];
  for (const setting of UNSUPPORTED_SETTINGS) {
    if (options[setting] !== undefined) warnings.push({ type: 'unsupported', feature: setting });
  }
  if (options.responseFormat?.type === 'json') {
    warnings.push({
      type: 'unsupported',
      feature: 'responseFormat',
      details: 'JSON response format is not supported; describe the format in the prompt',
    });
  }
  const system: string[] = [];
  const messages: Message[] = [];
  for (const message of options.prompt) {
    if (message.role === 'system') system.push(message.content);
    else messages.push(fromV3Message(message, warnings));
  }
  const tools: ToolSpec[] = [];
  for (const tool of options.tools ?? []) {
    if (tool.type === 'function') {
      tools.push({
        name: tool.name,
        inputSchema: tool.inputSchema as Readonly<Record<string, unknown>>,
        ...(tool.description === undefined ? {} : { description: tool.description }),
      });
    } else {
      warnings.push({ type: 'unsupported', feature: `provider tool ${tool.id}` });
    }
  }
  const request: ModelRequest = {
    messages,
    ...(system.length === 0 ? {} : { system: system.join('\n\n') }),
    ...(tools.length === 0 ? {} : { tools }),
    ...(options.toolChoice === undefined
      ? {}
      : { toolChoice: fromV3ToolChoice(options.toolChoice) }),
    ...(options.maxOutputTokens === undefined ? {} : { maxOutputTokens: options.maxOutputTokens }),
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(options.stopSequences === undefined ? {} : { stop: options.stopSequences }),
    ...(options.abortSignal === undefined ? {} : { signal: options.abortSignal }),
  };
  return { request, warnings };
}

function fromV3Message(
  message: Exclude<LanguageModelV3Message, { role: 'system' }>,
  warnings: SharedV3Warning[],
): Message {
  const content: Part[] = [];
  for (const part of message.content) {
    switch (part.type) {
      case 'text':
        content.push({ type: 'text', text: part.text });
        break;
      case 'tool-call':
        content.push({
          type: 'tool-call',
          callId: part.toolCallId,
          name: part.toolName,
          input: part.input,
        });
        break;
      case 'tool-result':
        content.push({
          type: 'tool-result',
          callId: part.toolCallId,
          name: part.toolName,
          ...fromV3Output(part.output),
        });
        break;
      case 'reasoning':
        warnings.push({
          type: 'compatibility',
          feature: 'reasoning',
          details: 'reasoning from earlier turns is not sent to the model',
        });
        break;
      case 'file':
        throw new UnsupportedFunctionalityError({
          functionality: `file parts (${part.mediaType})`,
        });
      default:
        throw new UnsupportedFunctionalityError({ functionality: `${part.type} parts` });
    }
  }
  return { role: message.role, content };
}

function fromV3Output(output: LanguageModelV3ToolResultOutput): {
  output: unknown;
  isError?: boolean;
} {
  switch (output.type) {
    case 'text':
    case 'json':
      return { output: output.value };
    case 'error-text':
    case 'error-json':
      return { output: output.value, isError: true };
    case 'execution-denied':
      return { output: output.reason ?? 'the tool call was denied', isError: true };
    case 'content': {
      const texts: string[] = [];
      for (const item of output.value) {
        if (item.type !== 'text') {
          throw new UnsupportedFunctionalityError({ functionality: `${item.type} tool output` });
        }
        texts.push(item.text);
      }
      return { output: texts.join('') };
    }
    default:
      throw new UnsupportedFunctionalityError({
        functionality: `${(output as { type: string }).type} tool output`,
      });
  }
}

function fromV3ToolChoice(choice: LanguageModelV3ToolChoice): ToolChoice {
  return choice.type === 'tool' ? { tool: choice.toolName } : choice.type;
}
