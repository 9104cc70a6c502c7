import { describe, expect, it } from 'vitest';
import { mapAnthropicStopReason } from '../../src/model/anthropic/map-anthropic-stop-reason.js';
import { mapOpenAIFinishReason } from '../../src/model/openai/map-openai-finish-reason.js';

describe('finish reasons', () => {
  it("maps OpenAI's finish_reason, function_call as tool-calls and anything new as other", () => {
    const wire = ['stop', 'length', 'tool_calls', 'function_call', 'content_filter', null, 'new'];
    expect(wire.map(mapOpenAIFinishReason)).toEqual([
      'stop',
      'length',
      'tool-calls',
      'tool-calls',
      'content-filter',
      'other',
      'other',
    ]);
  });

  it("maps Anthropic's stop_reason, a refusal as content-filter and a full window as length", () => {
    const wire = [
      'end_turn',
      'stop_sequence',
      'max_tokens',
      'model_context_window_exceeded',
      'tool_use',
      'refusal',
      'pause_turn',
      null,
    ];
    expect(wire.map(mapAnthropicStopReason)).toEqual([
      'stop',
      'stop',
      'length',
      'length',
      'tool-calls',
      'content-filter',
      'other',
      'other',
    ]);
  });
});
