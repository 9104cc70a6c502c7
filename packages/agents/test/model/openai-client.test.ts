import type { ServerResponse } from 'node:http';
import { TestClock } from '@warden/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createOpenAIClient,
  isModelCallError,
  type ModelClient,
  type ModelRequest,
  type StreamEvent,
} from '../../src/index.js';
import {
  fixture,
  type StubHandler,
  type StubServer,
  sendJson,
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

async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

async function failure(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

const json =
  (name: string, status = 200, headers: Record<string, string> = {}) =>
  (_: unknown, res: ServerResponse) =>
    sendJson(res, status, fixture(name), headers);

describe('OpenAI client: generate', () => {
  it('sends the conversation in the wire format with the key as a bearer token', async () => {
    const client = await clientFor(json('openai-text.json'));
    await client.generate({
      ...hello,
      maxOutputTokens: 100,
      temperature: 0,
      stop: ['END'],
      tools: [{ name: 'get_weather', description: 'Weather', inputSchema: { type: 'object' } }],
      toolChoice: { tool: 'get_weather' },
    });
    const request = stub?.requests[0];
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe('Bearer sk-test');
    expect(request?.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Capital of France?' },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object' } },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      max_tokens: 100,
      temperature: 0,
      stop: ['END'],
    });
  });

  it('sends tool calls and their results back as tool_calls and tool messages', async () => {
    const client = await clientFor(json('openai-text.json'));
    await client.generate({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'tool-call', callId: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'tool',
          content: [
            { type: 'tool-result', callId: 'call_1', name: 'get_weather', output: { c: 21 } },
          ],
        },
      ],
    });
    expect((stub?.requests[0]?.body as { messages?: unknown })?.messages).toEqual([
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"c":21}' },
    ]);
  });

  it('maps text, finish reason and usage with cached tokens', async () => {
    const client = await clientFor(json('openai-text.json'));
    const answer = await client.generate(hello);
    expect(answer).toEqual({
      content: [{ type: 'text', text: 'Paris is the capital of France.' }],
      finishReason: 'stop',
      usage: { inputTokens: 1219, outputTokens: 9, cacheReadTokens: 1024, reasoningTokens: 0 },
      model: 'gpt-4o-mini-2024-07-18',
      responseId: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
    });
    expect(clock.pendingTimers).toBe(0);
  });

  it('maps tool calls with parsed input, empty arguments as {}', async () => {
    const client = await clientFor(json('openai-tool-calls.json'));
    const answer = await client.generate(hello);
    expect(answer.finishReason).toBe('tool-calls');
    expect(answer.content).toEqual([
      {
        type: 'tool-call',
        callId: 'call_12345xyz',
        name: 'get_weather',
        input: { location: 'Paris, France' },
      },
      { type: 'tool-call', callId: 'call_67890abc', name: 'get_time', input: {} },
    ]);
    expect(answer.usage.reasoningTokens).toBe(12);
  });

  it('keeps a tool call whose arguments are not JSON, with the raw text and the parse error', async () => {
    const client = await clientFor(json('openai-bad-tool-arguments.json'));
    const answer = await client.generate(hello);
    const call = answer.content[0];
    expect(call).toMatchObject({
      type: 'tool-call',
      callId: 'call_0',
      input: '{"location": "Paris',
    });
    expect(call?.type === 'tool-call' && call.inputError).toMatch(/not valid JSON/);
  });
});

describe('OpenAI client: options', () => {
  it('sends max_completion_tokens when asked, and names errors after the configured provider', async () => {
    stub = await startStub(json('openai-401-invalid-key.json', 401));
    clock = new TestClock();
    const client = createOpenAIClient({
      baseUrl: stub.baseUrl,
      apiKey: 'gsk-test',
      model: 'llama-3.1-8b-instant',
      clock,
      provider: 'groq',
      maxTokensParam: 'max_completion_tokens',
      headers: { 'x-team': 'search' },
    });
    const error = await failure(client.generate({ ...hello, maxOutputTokens: 64 }));
    expect(client.provider).toBe('groq');
    expect((error as { provider?: string }).provider).toBe('groq');
    expect((error as Error).message).toMatch(/^groq: HTTP 401/);
    expect(stub.requests[0]?.body).toMatchObject({ max_completion_tokens: 64 });
    expect(stub.requests[0]?.body).not.toHaveProperty('max_tokens');
    expect(stub.requests[0]?.headers['x-team']).toBe('search');
  });

  it('refuses a body past maxResponseBytes', async () => {
    stub = await startStub(json('openai-text.json'));
    clock = new TestClock();
    const client = createOpenAIClient({
      baseUrl: stub.baseUrl,
      apiKey: 'k',
      model: 'm',
      clock,
      maxResponseBytes: 200,
    });
    const error = await failure(client.generate(hello));
    expect(isModelCallError(error, 'server')).toBe(true);
    expect((error as Error).message).toMatch(/exceeds 200 bytes/);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('OpenAI client: errors', () => {
  const cases: [string, number, string, Record<string, string>, string, number | undefined][] = [
    [
      '429 with retry-after-ms',
      429,
      'openai-429-rate-limit.json',
      { 'retry-after-ms': '1500' },
      'rate_limited',
      1500,
    ],
    [
      '429 with Retry-After seconds',
      429,
      'openai-429-rate-limit.json',
      { 'retry-after': '20' },
      'rate_limited',
      20_000,
    ],
    [
      '429 insufficient_quota',
      429,
      'openai-429-insufficient-quota.json',
      {},
      'quota_exhausted',
      undefined,
    ],
    ['503 overloaded', 503, 'openai-503-overloaded.json', {}, 'overloaded', undefined],
    ['500', 500, 'openai-500-server.json', {}, 'server', undefined],
    ['401', 401, 'openai-401-invalid-key.json', {}, 'auth', undefined],
    ['400 context length', 400, 'openai-400-context-length.json', {}, 'context_length', undefined],
    ['400 content filter', 400, 'azure-400-content-filter.json', {}, 'content_filter', undefined],
  ];
  for (const [title, status, name, headers, kind, retryAfterMs] of cases) {
    it(`classifies ${title} as ${kind}`, async () => {
      const client = await clientFor(json(name, status, headers));
      const error = await failure(client.generate(hello));
      expect(isModelCallError(error, kind as never)).toBe(true);
      expect((error as { status?: number }).status).toBe(status);
      expect((error as { retryAfterMs?: number }).retryAfterMs).toBe(retryAfterMs);
      expect((error as { provider?: string }).provider).toBe('openai');
      expect(clock.pendingTimers).toBe(0);
    });
  }

  it('classifies an HTML 502 page as server', async () => {
    const client = await clientFor((_, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end(fixture('html-502-page.txt'));
    });
    const error = await failure(client.generate(hello));
    expect(isModelCallError(error, 'server')).toBe(true);
    expect((error as Error).message).toContain('502 Bad Gateway');
  });

  it('refuses a 200 with the wrong content type', async () => {
    const client = await clientFor((_, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>Sign in to the wifi</html>');
    });
    const error = await failure(client.generate(hello));
    expect(isModelCallError(error, 'server')).toBe(true);
    expect((error as Error).message).toMatch(/expected application\/json, got text\/html/);
  });

  it('refuses a body that is not JSON', async () => {
    const client = await clientFor((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(fixture('openai-text.json').slice(0, 120));
    });
    const error = await failure(client.generate(hello));
    expect(isModelCallError(error, 'server')).toBe(true);
    expect((error as Error).message).toMatch(/not JSON/);
  });

  it('classifies a body cut short of its content-length as network', async () => {
    const body = fixture('openai-text.json');
    const client = await clientFor((_, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(body.length),
      });
      res.write(body.slice(0, 100));
      setImmediate(() => res.destroy());
    });
    const error = await failure(client.generate(hello));
    expect(isModelCallError(error, 'network')).toBe(true);
  });

  it('refuses JSON of the wrong shape, naming the field', async () => {
    const client = await clientFor(json('openai-wrong-shape.json'));
    const error = await failure(client.generate(hello));
    expect(isModelCallError(error, 'server')).toBe(true);
    expect((error as Error).message).toMatch(/choices is not an array/);
  });

  it('refuses a tool call in a user message before sending anything', async () => {
    const client = await clientFor(json('openai-text.json'));
    const error = await failure(
      client.generate({
        messages: [
          { role: 'user', content: [{ type: 'tool-call', callId: 'c', name: 'n', input: {} }] },
        ],
      }),
    );
    expect(isModelCallError(error, 'bad_request')).toBe(true);
    expect(stub?.requests).toHaveLength(0);
  });
});

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
});
