import type { Clock } from '@warden/core';
import type { ModelClient } from '../model/model-client.js';
import type { ModelRequest } from '../model/model-request.js';
import type { ModelResponse } from '../model/model-response.js';
import type { StreamEvent } from '../model/stream-event.js';
import type { QualityCheck } from './quality-check.js';

export interface SampleAnswersOptions {
  readonly clock: Clock;
  /**
   * Only requests with this system prompt are sampled: the agent's own. Without it, every final
   * answer is, which includes the summaries a compacting agent asks its model for.
   */
  readonly system?: string;
}

/**
 * Wraps the model an agent type uses so that its final answers (a response with text and no
 * tool call ends a task) reach a quality check, without touching the agent: the answer goes to
 * the caller unchanged and at once, scoring happens beside it. Streams pass through untouched.
 */
export function sampleAnswers(
  model: ModelClient,
  quality: Pick<QualityCheck, 'record'>,
  options: SampleAnswersOptions,
): ModelClient {
  const { clock, system } = options;
  return {
    provider: model.provider,
    model: model.model,
    async generate(request: ModelRequest): Promise<ModelResponse> {
      const response = await model.generate(request);
      if (system === undefined || request.system === system) {
        const output = answerText(response);
        if (output !== undefined) {
          void quality.record({ input: taskText(request), output, at: clock.now() });
        }
      }
      return response;
    },
    stream(request: ModelRequest): AsyncIterable<StreamEvent> {
      return model.stream(request);
    },
  };
}

function answerText(response: ModelResponse): string | undefined {
  let text = '';
  for (const part of response.content) {
    if (part.type === 'tool-call') return undefined;
    if (part.type === 'text') text += part.text;
  }
  return text.trim() === '' ? undefined : text;
}

/** The task: the first user message's text (the agent puts the task there, verbatim). */
function taskText(request: ModelRequest): string {
  const first = request.messages.find((m) => m.role === 'user');
  return (first?.content ?? []).map((p) => (p.type === 'text' ? p.text : '')).join('');
}
