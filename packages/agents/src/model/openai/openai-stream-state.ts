import { classifyHttpError } from '../classify-error.js';
import { isWire, type WireLabels, wireObject, wrongShape } from '../internal/wire-check.js';
import { ModelCallError } from '../model-call-error.js';
import { parseToolInput } from '../parse-tool-input.js';
import type { StreamEvent } from '../stream-event.js';
import { type Usage, ZERO_USAGE } from '../usage.js';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.js';
import { mapOpenAIUsage, readOpenAIChunk } from './openai-api-types.js';

interface PendingCall {
  id: string | undefined;
  name: string | undefined;
  args: string;
}

/**
 * Turns chat completions chunks into our stream events. Text deltas go out as they come. Tool
 * call fragments are gathered per `index` (the id and name arrive once, the arguments in
 * pieces) and each call goes out whole, its arguments parsed, when the choice finishes. The
 * `finish` event waits for `[DONE]`, because with `include_usage` the usage arrives in a chunk of
 * its own after the finish reason. A stream without `[DONE]` did not finish: `end()` throws
 * `network` rather than report a partial answer (and a partial bill) as complete. An `error`
 * object inside the stream is classified like an HTTP error body.
 */
export class OpenAIStreamState {
  readonly #labels: WireLabels;
  readonly #calls: PendingCall[] = [];
  #reason: string | undefined;
  #refused = false;
  #usage: Usage = ZERO_USAGE;
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

  /** Reads one event's data; appends what it means to `out`. */
  accept(data: string, out: StreamEvent[]): void {
    if (this.#done) return;
    if (data === '[DONE]') {
      this.#flushCalls(out);
      out.push({
        type: 'finish',
        finishReason: this.#refused ? 'content-filter' : mapOpenAIFinishReason(this.#reason),
        usage: this.#usage,
        model: this.#model,
        ...(this.#id === undefined ? {} : { responseId: this.#id }),
      });
      this.#done = true;
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      throw wrongShape(this.#labels, 'a stream chunk', 'JSON');
    }
    const chunk = readOpenAIChunk(this.#labels, value);
    if (chunk.error !== undefined && chunk.error !== null) {
      throw classifyHttpError({ ...this.#labels, body: value });
    }
    if (typeof chunk.id === 'string' && this.#id === undefined) this.#id = chunk.id;
    if (typeof chunk.model === 'string' && chunk.model !== '') this.#model = chunk.model;
    if (chunk.usage !== undefined && chunk.usage !== null) {
      this.#usage = mapOpenAIUsage(this.#labels, chunk.usage);
    }
    const choices = (chunk.choices ?? []) as readonly unknown[];
    for (const item of choices) {
      const choice = wireObject(this.#labels, item, 'a stream chunk.choices[]');
      if (typeof choice.index === 'number' && choice.index !== 0) continue;
      if (isWire(choice.delta)) this.#delta(choice.delta, out);
      if (typeof choice.finish_reason === 'string') {
        this.#reason = choice.finish_reason;
        this.#flushCalls(out);
      }
    }
  }

  /** The stream's bytes have ended: throws unless `[DONE]` was seen. */
  end(): void {
    if (!this.#done) {
      throw new ModelCallError(
        'network',
        `${this.#labels.provider}: the stream ended before [DONE]`,
        this.#labels,
      );
    }
  }

  #delta(delta: Readonly<Record<string, unknown>>, out: StreamEvent[]): void {
    if (typeof delta.content === 'string' && delta.content !== '') {
      out.push({ type: 'text-delta', text: delta.content });
    }
    if (typeof delta.refusal === 'string' && delta.refusal !== '') {
      this.#refused = true;
      out.push({ type: 'text-delta', text: delta.refusal });
    }
    if (!Array.isArray(delta.tool_calls)) return;
    delta.tool_calls.forEach((item: unknown, position: number) => {
      const fragment = wireObject(this.#labels, item, 'a stream chunk tool call');
      const index = typeof fragment.index === 'number' ? fragment.index : position;
      let call = this.#calls[index];
      if (call === undefined) {
        call = { id: undefined, name: undefined, args: '' };
        this.#calls[index] = call;
      }
      if (typeof fragment.id === 'string' && fragment.id !== '') call.id ??= fragment.id;
      const fn = isWire(fragment.function) ? fragment.function : undefined;
      if (typeof fn?.name === 'string' && fn.name !== '') call.name ??= fn.name;
      if (typeof fn?.arguments === 'string') call.args += fn.arguments;
    });
  }

  #flushCalls(out: StreamEvent[]): void {
    for (const call of this.#calls) {
      if (call === undefined) continue;
      if (call.id === undefined || call.name === undefined) {
        throw wrongShape(this.#labels, 'a streamed tool call', 'given an id and a name');
      }
      out.push({
        type: 'tool-call',
        callId: call.id,
        name: call.name,
        ...parseToolInput(call.args),
      });
    }
    this.#calls.length = 0;
  }
}
