import type { Part } from '../message.js';
import type { ModelResponse } from '../model-response.js';
import type { StreamEvent } from '../stream-event.js';

/** A response as the events a stream yields: text in word-sized deltas, tool calls, finish. */
export function streamOf(response: ModelResponse): StreamEvent[] {
  const events: StreamEvent[] = [];
  for (const part of response.content) {
    if (part.type === 'text') {
      for (const chunk of part.text.match(/\S+\s*|\s+/g) ?? []) {
        events.push({ type: 'text-delta', text: chunk });
      }
    } else if (part.type === 'tool-call') {
      events.push({ type: 'tool-call', callId: part.callId, name: part.name, input: part.input });
    }
  }
  events.push({
    type: 'finish',
    finishReason: response.finishReason,
    usage: response.usage,
    model: response.model,
    ...(response.responseId === undefined ? {} : { responseId: response.responseId }),
  });
  return events;
}

/**
 * Gathers a stream's events back into the response `generate` would have returned: the cache
 * stores a streamed answer this way. Text deltas in a row join into one text part.
 */
export class ResponseCollector {
  readonly #content: Part[] = [];
  #text = '';
  #response: ModelResponse | undefined;

  add(event: StreamEvent): void {
    if (event.type === 'text-delta') {
      this.#text += event.text;
      return;
    }
    this.#flush();
    if (event.type === 'tool-call') {
      this.#content.push({
        type: 'tool-call',
        callId: event.callId,
        name: event.name,
        input: event.input,
      });
    } else {
      this.#response = {
        content: this.#content,
        finishReason: event.finishReason,
        usage: event.usage,
        model: event.model,
        ...(event.responseId === undefined ? {} : { responseId: event.responseId }),
      };
    }
  }

  /** The whole response, once the `finish` event came (undefined before). */
  get response(): ModelResponse | undefined {
    return this.#response;
  }

  #flush(): void {
    if (this.#text !== '') this.#content.push({ type: 'text', text: this.#text });
    this.#text = '';
  }
}
