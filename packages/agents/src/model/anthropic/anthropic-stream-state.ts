import { classifyHttpError } from '../classify-error.js';
import {
  isWire,
  type WireLabels,
  wireObject,
  wireString,
  wrongShape,
} from '../internal/wire-check.js';
import { ModelCallError } from '../model-call-error.js';
import { parseToolInput } from '../parse-tool-input.js';
import type { StreamEvent } from '../stream-event.js';
import {
  type AnthropicUsageCounts,
  readAnthropicEvent,
  readAnthropicUsage,
  toUsage,
} from './anthropic-api-types.js';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason.js';

interface ToolBlock {
  readonly id: string;
  readonly name: string;
  json: string;
}

/**
 * Turns Messages API stream events into ours: `message_start` (id, model, input usage),
 * `content_block_start` / `content_block_delta` / `content_block_stop` (text deltas go out as they
 * come; a `tool_use` block's `input_json_delta` pieces are gathered and the call goes out whole at
 * its `content_block_stop`), `message_delta` (stop reason, usage so far), `message_stop` (our
 * `finish`), `ping` (nothing). An `error` event mid-stream (`overloaded_error` after a 200) is
 * classified like an HTTP error body. Unknown events are skipped: the API may add new ones. A
 * stream without `message_stop` did not finish: `end()` throws `network`.
 */
export class AnthropicStreamState {
  readonly #labels: WireLabels;
  readonly #tools = new Map<number, ToolBlock>();
  readonly #counts: AnthropicUsageCounts = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  #reason: string | undefined;
  #model: string;
  #id: string | undefined;
  #done = false;

  constructor(labels: WireLabels) {
    this.#labels = labels;
    this.#model = labels.model;
  }

  get done(): boolean {
    return this.#done;
  }

  accept(data: string, out: StreamEvent[]): void {
    if (this.#done) return;
    const event = readAnthropicEvent(this.#labels, data);
    switch (event.type) {
      case 'message_start': {
        const message = wireObject(this.#labels, event.message, 'message_start.message');
        if (typeof message.id === 'string') this.#id = message.id;
        if (typeof message.model === 'string' && message.model !== '') this.#model = message.model;
        readAnthropicUsage(this.#labels, message.usage, this.#counts);
        return;
      }
      case 'content_block_start': {
        const index = this.#index(event.index);
        const block = wireObject(
          this.#labels,
          event.content_block,
          'content_block_start.content_block',
        );
        if (block.type === 'tool_use') {
          this.#tools.set(index, {
            id: wireString(this.#labels, block.id, 'content_block.id'),
            name: wireString(this.#labels, block.name, 'content_block.name'),
            json: '',
          });
        } else if (block.type === 'text' && typeof block.text === 'string' && block.text !== '') {
          out.push({ type: 'text-delta', text: block.text });
        }
        return;
      }
      case 'content_block_delta': {
        const delta = wireObject(this.#labels, event.delta, 'content_block_delta.delta');
        if (delta.type === 'text_delta') {
          const text = wireString(this.#labels, delta.text, 'text_delta.text');
          if (text !== '') out.push({ type: 'text-delta', text });
        } else if (delta.type === 'input_json_delta') {
          const tool = this.#tools.get(this.#index(event.index));
          if (tool === undefined)
            throw wrongShape(this.#labels, 'input_json_delta', 'inside a tool_use block');
          tool.json += wireString(
            this.#labels,
            delta.partial_json,
            'input_json_delta.partial_json',
          );
        }
        return;
      }
      case 'content_block_stop': {
        const index = this.#index(event.index);
        const tool = this.#tools.get(index);
        if (tool === undefined) return;
        this.#tools.delete(index);
        out.push({
          type: 'tool-call',
          callId: tool.id,
          name: tool.name,
          ...parseToolInput(tool.json),
        });
        return;
      }
      case 'message_delta': {
        if (isWire(event.delta) && typeof event.delta.stop_reason === 'string') {
          this.#reason = event.delta.stop_reason;
        }
        readAnthropicUsage(this.#labels, event.usage, this.#counts);
        return;
      }
      case 'message_stop':
        this.#done = true;
        out.push({
          type: 'finish',
          finishReason: mapAnthropicStopReason(this.#reason),
          usage: toUsage(this.#counts),
          model: this.#model,
          ...(this.#id === undefined ? {} : { responseId: this.#id }),
        });
        return;
      case 'error':
        throw classifyHttpError({ ...this.#labels, body: event });
      default:
        return;
    }
  }

  end(): void {
    if (!this.#done) {
      throw new ModelCallError(
        'network',
        `${this.#labels.provider}: the stream ended before message_stop`,
        this.#labels,
      );
    }
  }

  #index(value: unknown): number {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw wrongShape(this.#labels, 'a content block index', 'an integer');
    }
    return value;
  }
}
