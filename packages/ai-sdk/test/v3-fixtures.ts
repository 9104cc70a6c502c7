import type {
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';

/** Usage as an Anthropic-style provider reports it: the parts, no totals. */
export const PARTS_ONLY_USAGE: LanguageModelV3Usage = {
  inputTokens: { total: undefined, noCache: 30, cacheRead: 60, cacheWrite: 10 },
  outputTokens: { total: undefined, text: 15, reasoning: 5 },
};

export function generateResult(
  content: LanguageModelV3GenerateResult['content'],
  unified: LanguageModelV3GenerateResult['finishReason']['unified'] = 'stop',
): LanguageModelV3GenerateResult {
  return {
    content,
    finishReason: { unified, raw: unified },
    usage: {
      inputTokens: { total: 11, noCache: 11, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: 4, text: 4, reasoning: undefined },
    },
    response: { id: 'resp-1', modelId: 'mock-model-2024' },
    warnings: [],
  };
}

/** The parts of a streamed answer: text in two deltas, a tool call, then the finish. */
export function streamParts(toolInput = '{"city":"Oslo"}'): LanguageModelV3StreamPart[] {
  return [
    { type: 'stream-start', warnings: [] },
    { type: 'response-metadata', id: 'resp-2', modelId: 'mock-model-2024' },
    { type: 'text-start', id: 't0' },
    { type: 'text-delta', id: 't0', delta: 'Checking ' },
    { type: 'text-delta', id: 't0', delta: 'the weather.' },
    { type: 'text-end', id: 't0' },
    { type: 'reasoning-start', id: 'r0' },
    { type: 'reasoning-delta', id: 'r0', delta: 'thinking' },
    { type: 'reasoning-end', id: 'r0' },
    { type: 'tool-input-start', id: 'call-9', toolName: 'weather' },
    { type: 'tool-input-delta', id: 'call-9', delta: toolInput },
    { type: 'tool-input-end', id: 'call-9' },
    { type: 'tool-call', toolCallId: 'call-9', toolName: 'weather', input: toolInput },
    {
      type: 'finish',
      finishReason: { unified: 'tool-calls', raw: 'tool_use' },
      usage: PARTS_ONLY_USAGE,
    },
  ];
}
