import { APICallError } from '@ai-sdk/provider';
import { isModelCallError, type ModelCallError, type StreamEvent } from '@warden/agents';
import { isWardenError } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { convertArrayToReadableStream, MockLanguageModelV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { fromAiSdk } from '../src/index.js';
import { generateResult, PARTS_ONLY_USAGE, streamParts } from './v3-fixtures.js';

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

async function failure(work: Promise<unknown>): Promise<ModelCallError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isModelCallError(error)) throw new Error(`expected a ModelCallError, got ${String(error)}`);
  return error;
}

describe('fromAiSdk: the request', () => {
  it('sends the system prompt, the conversation, the tools and the settings as V3 options', async () => {
    const model = new MockLanguageModelV3({
      doGenerate: generateResult([{ type: 'text', text: 'ok' }]),
    });
    await fromAiSdk(model).generate({
      system: 'Be brief.',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo?' }] },
        {
          role: 'assistant',
          content: [{ type: 'tool-call', callId: 'c1', name: 'weather', input: { city: 'Oslo' } }],
        },
        {
          role: 'tool',
          content: [
            { type: 'tool-result', callId: 'c1', name: 'weather', output: { celsius: 21 } },
            { type: 'tool-result', callId: 'c2', name: 'clock', output: 'timeout', isError: true },
          ],
        },
      ],
      tools: [
        {
          name: 'weather',
          description: 'The weather',
          inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
        },
      ],
      toolChoice: { tool: 'weather' },
      maxOutputTokens: 256,
      temperature: 0.2,
      stop: ['END'],
      signal: new AbortController().signal,
    });
    const options = model.doGenerateCalls[0];
    expect(options?.prompt).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: { city: 'Oslo' } },
        ],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'c1',
            toolName: 'weather',
            output: { type: 'json', value: { celsius: 21 } },
          },
          {
            type: 'tool-result',
            toolCallId: 'c2',
            toolName: 'clock',
            output: { type: 'error-text', value: 'timeout' },
          },
        ],
      },
    ]);
    expect(options?.tools).toEqual([
      {
        type: 'function',
        name: 'weather',
        description: 'The weather',
        inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
      },
    ]);
    expect(options?.toolChoice).toEqual({ type: 'tool', toolName: 'weather' });
    expect(options?.maxOutputTokens).toBe(256);
    expect(options?.temperature).toBe(0.2);
    expect(options?.stopSequences).toEqual(['END']);
    // The model gets a signal of its own, which follows the caller's while the call runs.
    expect(options?.abortSignal).toBeInstanceOf(AbortSignal);
  });

  it('refuses a message the V3 prompt cannot carry as a bad_request, without calling the model', async () => {
    const model = new MockLanguageModelV3({ doGenerate: generateResult([]) });
    const error = await failure(
      fromAiSdk(model).generate({
        messages: [
          { role: 'user', content: [{ type: 'tool-call', callId: 'x', name: 'y', input: {} }] },
        ],
      }),
    );
    expect(error.kind).toBe('bad_request');
    expect(error.message).toMatch(/message 0 \(user\) cannot carry a tool-call part/);
    expect(model.doGenerateCalls).toHaveLength(0);
  });

  it('refuses a tool result that is not JSON as a bad_request', async () => {
    const model = new MockLanguageModelV3({ doGenerate: generateResult([]) });
    const error = await failure(
      fromAiSdk(model).generate({
        messages: [
          {
            role: 'tool',
            content: [{ type: 'tool-result', callId: 'c1', name: 't', output: { n: 10n } }],
          },
        ],
      }),
    );
    expect(error.kind).toBe('bad_request');
    expect(error.message).toMatch(/tool call c1 is not JSON/);
  });
});

describe('fromAiSdk: generate', () => {
  it('returns the text, the parsed tool calls, the finish reason, the usage and the model', async () => {
    const model = new MockLanguageModelV3({
      provider: 'mock-provider',
      modelId: 'mock-model',
      doGenerate: generateResult(
        [
          { type: 'reasoning', text: 'hidden' },
          { type: 'text', text: 'Checking.' },
          { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: '{"city":"Oslo"}' },
          { type: 'tool-call', toolCallId: 'c2', toolName: 'now', input: '' },
        ],
        'tool-calls',
      ),
    });
    const client = fromAiSdk(model);
    expect([client.provider, client.model]).toEqual(['mock-provider', 'mock-model']);
    const response = await client.generate({ messages: [] });
    expect(response).toEqual({
      content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool-call', callId: 'c1', name: 'weather', input: { city: 'Oslo' } },
        { type: 'tool-call', callId: 'c2', name: 'now', input: {} },
      ],
      finishReason: 'tool-calls',
      usage: { inputTokens: 11, outputTokens: 4 },
      model: 'mock-model-2024',
      responseId: 'resp-1',
    });
  });

  it('sums the usage parts when the provider reports no totals, cached input included', async () => {
    const model = new MockLanguageModelV3({
      doGenerate: { ...generateResult([]), usage: PARTS_ONLY_USAGE },
    });
    const { usage } = await fromAiSdk(model).generate({ messages: [] });
    expect(usage).toEqual({
      inputTokens: 100,
      outputTokens: 20,
      cacheReadTokens: 60,
      cacheWriteTokens: 10,
      reasoningTokens: 5,
    });
  });

  it('keeps a tool call whose arguments are not JSON, raw, with the reason', async () => {
    const model = new MockLanguageModelV3({
      doGenerate: generateResult([
        { type: 'tool-call', toolCallId: 'c7', toolName: 'weather', input: '{"city": Oslo' },
      ]),
    });
    const { content } = await fromAiSdk(model).generate({ messages: [] });
    expect(content).toEqual([
      {
        type: 'tool-call',
        callId: 'c7',
        name: 'weather',
        input: '{"city": Oslo',
        inputError: expect.stringMatching(/^the arguments are not valid JSON/),
      },
    ]);
  });

  it('ends a call the provider never answers at its deadline on the clock', async () => {
    const clock = new TestClock();
    let seen: AbortSignal | undefined;
    const model = new MockLanguageModelV3({
      doGenerate: (options) => {
        seen = options.abortSignal;
        return new Promise(() => {}); // ignores its signal, too
      },
    });
    const pending = failure(
      fromAiSdk(model, { clock, timeoutMs: 30_000 }).generate({ messages: [] }),
    );
    await clock.advance(29_999);
    expect(seen?.aborted).toBe(false);
    await clock.advance(1);
    const error = await pending;
    expect(error.kind).toBe('timeout');
    expect(error.retryable).toBe(true);
    expect(seen?.aborted).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('clears its deadline timer once the call has answered', async () => {
    const clock = new TestClock();
    const model = new MockLanguageModelV3({ doGenerate: generateResult([]) });
    await fromAiSdk(model, { clock }).generate({ messages: [] });
    expect(clock.pendingTimers).toBe(0);
  });

  it("rejects a call its caller aborted with core's ERR_ABORTED, not a model failure", async () => {
    const controller = new AbortController();
    const model = new MockLanguageModelV3({
      doGenerate: (options) =>
        new Promise((_, reject) =>
          options.abortSignal?.addEventListener('abort', () => reject(options.abortSignal?.reason)),
        ),
    });
    const pending = fromAiSdk(model)
      .generate({ messages: [], signal: controller.signal })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    await new Promise((resolve) => setImmediate(resolve));
    expect(model.doGenerateCalls[0]?.abortSignal?.aborted).toBe(false);
    controller.abort();
    const error = await pending;
    expect(model.doGenerateCalls[0]?.abortSignal?.aborted).toBe(true);
    expect(isWardenError(error, 'ERR_ABORTED')).toBe(true);
    expect(isModelCallError(error)).toBe(false);
  });

  it('rejects bad options naming the field', () => {
    const model = new MockLanguageModelV3();
    expect(() => fromAiSdk(model, { timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => fromAiSdk({} as never)).toThrow(/LanguageModelV3/);
  });
});

describe('fromAiSdk: stream', () => {
  it('yields text deltas, each complete tool call parsed, and one finish last', async () => {
    const model = new MockLanguageModelV3({
      doStream: { stream: convertArrayToReadableStream(streamParts()) },
    });
    const events = await collect(fromAiSdk(model).stream({ messages: [] }));
    expect(events).toEqual([
      { type: 'text-delta', text: 'Checking ' },
      { type: 'text-delta', text: 'the weather.' },
      { type: 'tool-call', callId: 'call-9', name: 'weather', input: { city: 'Oslo' } },
      {
        type: 'finish',
        finishReason: 'tool-calls',
        usage: {
          inputTokens: 100,
          outputTokens: 20,
          cacheReadTokens: 60,
          cacheWriteTokens: 10,
          reasoningTokens: 5,
        },
        model: 'mock-model-2024',
        responseId: 'resp-2',
      },
    ]);
  });

  it('keeps a streamed tool call whose arguments are not JSON, raw, with the reason', async () => {
    const model = new MockLanguageModelV3({
      doStream: { stream: convertArrayToReadableStream(streamParts('{"city":')) },
    });
    const events = await collect(fromAiSdk(model).stream({ messages: [] }));
    expect(events[2]).toEqual({
      type: 'tool-call',
      callId: 'call-9',
      name: 'weather',
      input: '{"city":',
      inputError: expect.stringMatching(/^the arguments are not valid JSON/),
    });
    expect(events.at(-1)?.type).toBe('finish');
  });

  it('fails when the stream ends without its finish event', async () => {
    const parts = streamParts().slice(0, 5);
    const model = new MockLanguageModelV3({
      doStream: { stream: convertArrayToReadableStream(parts) },
    });
    const error = await failure(collect(fromAiSdk(model).stream({ messages: [] })));
    expect(error.kind).toBe('network');
    expect(error.message).toMatch(/ended before its finish event/);
  });

  it('classifies an error part of the stream', async () => {
    const overloaded = new APICallError({
      message: 'Overloaded',
      url: 'https://api.anthropic.com/v1/messages',
      requestBodyValues: {},
      statusCode: 529,
      responseBody: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
    });
    const model = new MockLanguageModelV3({
      doStream: {
        stream: convertArrayToReadableStream<never>([
          { type: 'stream-start', warnings: [] },
          { type: 'text-delta', id: 't', delta: 'Hel' },
          { type: 'error', error: overloaded },
        ] as never[]),
      },
    });
    const error = await failure(collect(fromAiSdk(model).stream({ messages: [] })));
    expect(error.kind).toBe('overloaded');
    expect(error.status).toBe(529);
    expect(error.providerCode).toBe('overloaded_error');
  });

  it('cancels the provider stream when the consumer stops early', async () => {
    let cancelled = false;
    let signal: AbortSignal | undefined;
    const model = new MockLanguageModelV3({
      doStream: async (options) => {
        signal = options.abortSignal;
        return {
          stream: new ReadableStream({
            pull: (controller) => controller.enqueue({ type: 'text-delta', id: 't', delta: 'x' }),
            cancel: () => {
              cancelled = true;
            },
          }),
        };
      },
    });
    let n = 0;
    for await (const _ of fromAiSdk(model).stream({ messages: [] })) if (++n === 3) break;
    expect(cancelled).toBe(true);
    expect(signal?.aborted).toBe(true);
  });

  it('ends a stream that stalls at its deadline', async () => {
    const clock = new TestClock();
    const model = new MockLanguageModelV3({
      doStream: {
        stream: new ReadableStream({
          start: (controller) => controller.enqueue({ type: 'text-delta', id: 't', delta: 'x' }),
        }),
      },
    });
    const events: StreamEvent[] = [];
    const pending = failure(
      (async () => {
        for await (const event of fromAiSdk(model, { clock, timeoutMs: 5_000 }).stream({
          messages: [],
        })) {
          events.push(event);
        }
      })(),
    );
    await clock.advance(5_000);
    const error = await pending;
    expect(error.kind).toBe('timeout');
    expect(events).toEqual([{ type: 'text-delta', text: 'x' }]);
    expect(clock.pendingTimers).toBe(0);
  });
});
