import { TestClock } from '@warden/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createOpenAIClient,
  isModelCallError,
  type ModelClient,
  type ModelRequest,
  type StreamEvent,
} from '../../src/index.js';
import { collect, failure } from './call-outcome.js';
import {
  fixture,
  replyJson as json,
  type StubHandler,
  type StubServer,
  sendSse,
  startStub,
} from './stub-server.js';

let stub: StubServer | undefined;
let clock: TestClock;

afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

async function clientFor(handler: StubHandler): Promise<ModelClient> {
  stub = await startStub(handler);
  clock = new TestClock();
  return createOpenAIClient({
    baseUrl: stub.baseUrl,
    apiKey: 'sk-test',
    model: 'gpt-4o-mini',
    clock,
  });
}

const hello: ModelRequest = {
  system: 'Be brief.',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Capital of France?' }] }],
};

describe('OpenAI client: stream', () => {
  it('streams text deltas, then one finish with usage including cached tokens', async () => {
    const client = await clientFor((_, res) => sendSse(res, fixture('openai-text.sse.txt')));
    const events = await collect(client.stream(hello));
    expect(events).toEqual([
      { type: 'text-delta', text: 'Bonjour' },
      { type: 'text-delta', text: ', le ' },
      { type: 'text-delta', text: 'monde ☕ — ok' },
      {
        type: 'finish',
        finishReason: 'stop',
        usage: { inputTokens: 1219, outputTokens: 6, cacheReadTokens: 1024, reasoningTokens: 0 },
        model: 'gpt-4o-mini-2024-07-18',
        responseId: 'chatcmpl-stream1',
      },
    ]);
    expect(stub?.requests[0]?.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(clock.pendingTimers).toBe(0);
  });

  it('gathers tool call argument deltas per index and emits each call whole', async () => {
    const client = await clientFor((_, res) =>
      sendSse(res, fixture('openai-tool-calls.sse.txt'), 17),
    );
    const events = await collect(client.stream(hello));
    expect(events).toEqual([
      { type: 'tool-call', callId: 'call_a1', name: 'get_weather', input: { location: 'Paris' } },
      { type: 'tool-call', callId: 'call_b2', name: 'get_time', input: {} },
      {
        type: 'finish',
        finishReason: 'tool-calls',
        usage: { inputTokens: 82, outputTokens: 30 },
        model: 'gpt-4o-mini-2024-07-18',
        responseId: 'chatcmpl-stream1',
      },
    ]);
  });

  it('reads tool calls sent whole and without an index (some compatible servers) by position', async () => {
    const client = await clientFor((_, res) =>
      sendSse(res, fixture('openai-compatible-tool-calls-without-index.sse.txt')),
    );
    const events = await collect(client.stream(hello));
    expect(events.slice(0, 2)).toEqual([
      { type: 'tool-call', callId: 'call_g1', name: 'get_weather', input: { location: 'Paris' } },
      { type: 'tool-call', callId: 'call_g2', name: 'get_time', input: { zone: 'CET' } },
    ]);
    expect(events[2]).toMatchObject({
      type: 'finish',
      finishReason: 'tool-calls',
      model: 'gemini-2.0-flash',
    });
  });

  it('emits a streamed tool call with arguments that are not JSON with its parse error', async () => {
    const client = await clientFor((_, res) =>
      sendSse(res, fixture('openai-bad-tool-arguments.sse.txt')),
    );
    const events = await collect(client.stream(hello));
    expect(events[0]).toMatchObject({
      type: 'tool-call',
      callId: 'call_x',
      input: '{"location": ',
    });
    expect(events[0]?.type === 'tool-call' && events[0].inputError).toMatch(/not valid JSON/);
    expect(events[1]?.type).toBe('finish');
  });

  it('throws the classified error of an error object inside the stream', async () => {
    const client = await clientFor((_, res) =>
      sendSse(res, fixture('openai-error-mid-stream.sse.txt')),
    );
    const seen: StreamEvent[] = [];
    const error = await failure(
      (async () => {
        for await (const e of client.stream(hello)) seen.push(e);
      })(),
    );
    expect(seen).toEqual([{ type: 'text-delta', text: 'Par' }]);
    expect(isModelCallError(error, 'server')).toBe(true);
    expect((error as { providerCode?: string }).providerCode).toBe('server_error');
  });

  it('throws network for a stream cut in the middle of an event', async () => {
    const client = await clientFor((_, res) =>
      sendSse(res, fixture('openai-cut-mid-event.sse.txt')),
    );
    const error = await failure(collect(client.stream(hello)));
    expect(isModelCallError(error, 'network')).toBe(true);
  });

  it('throws network for a stream that ends cleanly but without [DONE]', async () => {
    const client = await clientFor((_, res) => sendSse(res, fixture('openai-no-done.sse.txt')));
    const error = await failure(collect(client.stream(hello)));
    expect(isModelCallError(error, 'network')).toBe(true);
    expect((error as Error).message).toMatch(/before \[DONE\]/);
  });

  it('classifies an error status before the stream began', async () => {
    const client = await clientFor(json('openai-429-rate-limit.json', 429, { 'retry-after': '3' }));
    const error = await failure(collect(client.stream(hello)));
    expect(isModelCallError(error, 'rate_limited')).toBe(true);
    expect((error as { retryAfterMs?: number }).retryAfterMs).toBe(3000);
  });

  it('refuses a stream answered as JSON', async () => {
    const client = await clientFor(json('openai-text.json'));
    const error = await failure(collect(client.stream(hello)));
    expect(isModelCallError(error, 'server')).toBe(true);
    expect((error as Error).message).toMatch(/expected text\/event-stream/);
  });

  it('reports a request that cannot be built in the consumer loop, not when stream() is called', async () => {
    const client = await clientFor((_, res) => sendSse(res, fixture('openai-text.sse.txt')));
    const stream = client.stream({
      messages: [
        { role: 'user', content: [{ type: 'tool-call', callId: 'c', name: 'n', input: {} }] },
      ],
    });
    const error = await failure(collect(stream));
    expect(isModelCallError(error, 'bad_request')).toBe(true);
    expect(stub?.requests).toHaveLength(0);
  });
});
