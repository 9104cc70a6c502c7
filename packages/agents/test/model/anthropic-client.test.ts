import { TestClock } from '@warden/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createAnthropicClient,
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
  return createAnthropicClient({
    baseUrl: stub.baseUrl,
    apiKey: 'sk-ant-test',
    model: 'claude-sonnet-4-5',
    clock,
    maxOutputTokens: 1024,
  });
}

const hello: ModelRequest = {
  system: 'Be brief.',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Capital of France?' }] }],
};

describe('Anthropic client: generate', () => {
  it('sends x-api-key, anthropic-version, the system apart and max_tokens', async () => {
    const client = await clientFor(json('anthropic-text.json'));
    await client.generate({
      ...hello,
      tools: [{ name: 'get_weather', inputSchema: { type: 'object' } }],
      toolChoice: 'required',
      stop: ['END'],
    });
    const request = stub?.requests[0];
    expect(request?.path).toBe('/v1/messages');
    expect(request?.headers['x-api-key']).toBe('sk-ant-test');
    expect(request?.headers['anthropic-version']).toBe('2023-06-01');
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      system: 'Be brief.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Capital of France?' }] }],
      tools: [{ name: 'get_weather', input_schema: { type: 'object' } }],
      tool_choice: { type: 'any' },
      stop_sequences: ['END'],
    });
  });

  it('sends tool calls as tool_use and results as tool_result blocks in a user turn', async () => {
    const client = await clientFor(json('anthropic-text.json'));
    await client.generate({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool-call', callId: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              callId: 'toolu_1',
              name: 'get_weather',
              output: 'down',
              isError: true,
            },
          ],
        },
        { role: 'user', content: [{ type: 'text', text: 'And?' }] },
      ],
    });
    expect((stub?.requests[0]?.body as { messages?: unknown })?.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'down', is_error: true },
          { type: 'text', text: 'And?' },
        ],
      },
    ]);
  });

  it('sends max_tokens 4096 when neither the request nor the options set one', async () => {
    stub = await startStub(json('anthropic-text.json'));
    clock = new TestClock();
    const client = createAnthropicClient({ baseUrl: stub.baseUrl, apiKey: 'k', model: 'm', clock });
    await client.generate(hello);
    await client.generate({ ...hello, maxOutputTokens: 10 });
    expect(stub.requests.map((r) => (r.body as { max_tokens?: number }).max_tokens)).toEqual([
      4096, 10,
    ]);
  });

  it('sums the three input counters into inputTokens and keeps the cache counters', async () => {
    const client = await clientFor(json('anthropic-text.json'));
    const answer = await client.generate(hello);
    expect(answer).toEqual({
      content: [{ type: 'text', text: 'Paris is the capital of France.' }],
      finishReason: 'stop',
      usage: {
        inputTokens: 21 + 1800 + 188,
        outputTokens: 12,
        cacheReadTokens: 1800,
        cacheWriteTokens: 188,
      },
      model: 'claude-sonnet-4-5-20250929',
      responseId: 'msg_01XFDUDYJgAACzvnptvVoYEL',
    });
    expect(clock.pendingTimers).toBe(0);
  });

  it('maps tool_use blocks to tool calls', async () => {
    const client = await clientFor(json('anthropic-tool-use.json'));
    const answer = await client.generate(hello);
    expect(answer.finishReason).toBe('tool-calls');
    expect(answer.content[1]).toEqual({
      type: 'tool-call',
      callId: 'toolu_01A09q90qw90lq917835lq9',
      name: 'get_weather',
      input: { location: 'Paris, France' },
    });
  });
});

describe('Anthropic client: errors', () => {
  const cases: [number, string, Record<string, string>, string, number | undefined][] = [
    [529, 'anthropic-529-overloaded.json', {}, 'overloaded', undefined],
    [429, 'anthropic-429-rate-limit.json', { 'retry-after': '7' }, 'rate_limited', 7000],
    [429, 'anthropic-429-spend-limit.json', {}, 'quota_exhausted', undefined],
    [400, 'anthropic-400-prompt-too-long.json', {}, 'context_length', undefined],
    [400, 'anthropic-400-credit-balance.json', {}, 'quota_exhausted', undefined],
    [401, 'anthropic-401-authentication.json', {}, 'auth', undefined],
    [500, 'anthropic-500-api-error.json', {}, 'server', undefined],
  ];
  for (const [status, name, headers, kind, retryAfterMs] of cases) {
    it(`classifies ${status} ${name} as ${kind}`, async () => {
      const client = await clientFor(json(name, status, headers));
      const error = await failure(client.generate(hello));
      expect(isModelCallError(error, kind as never)).toBe(true);
      expect((error as { status?: number }).status).toBe(status);
      expect((error as { retryAfterMs?: number }).retryAfterMs).toBe(retryAfterMs);
      expect((error as { provider?: string }).provider).toBe('anthropic');
    });
  }

  it('refuses a tool_use block without an object input', async () => {
    const body = JSON.parse(fixture('anthropic-tool-use.json'));
    body.content[1].input = '{"location"';
    const client = await clientFor((_, res) => sendJson(res, 200, JSON.stringify(body)));
    const error = await failure(client.generate(hello));
    expect(isModelCallError(error, 'server')).toBe(true);
    expect((error as Error).message).toMatch(/content\[1\]\.input is not an object/);
  });
});

describe('Anthropic client: stream', () => {
  it('streams text deltas, skips pings, and finishes with the summed usage', async () => {
    const client = await clientFor((_, res) => sendSse(res, fixture('anthropic-text.sse.txt'), 23));
    const events = await collect(client.stream(hello));
    expect(events).toEqual([
      { type: 'text-delta', text: 'Bonjour' },
      { type: 'text-delta', text: ', le monde ☕' },
      {
        type: 'finish',
        finishReason: 'stop',
        usage: {
          inputTokens: 472 + 2000 + 100,
          outputTokens: 15,
          cacheReadTokens: 2000,
          cacheWriteTokens: 100,
        },
        model: 'claude-sonnet-4-5-20250929',
        responseId: 'msg_014p7gG3wDgGV9EUtLvnow3U',
      },
    ]);
    expect(stub?.requests[0]?.body).toMatchObject({ stream: true });
    expect(clock.pendingTimers).toBe(0);
  });

  it('gathers input_json_delta pieces into one tool call at content_block_stop', async () => {
    const client = await clientFor((_, res) => sendSse(res, fixture('anthropic-tool-use.sse.txt')));
    const events = await collect(client.stream(hello));
    expect(events.slice(0, 2)).toEqual([
      { type: 'text-delta', text: 'Let me check.' },
      {
        type: 'tool-call',
        callId: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
        name: 'get_weather',
        input: { location: 'Paris' },
      },
    ]);
    expect(events[2]).toMatchObject({ type: 'finish', finishReason: 'tool-calls' });
  });

  it('throws overloaded for an error event after the 200', async () => {
    const client = await clientFor((_, res) =>
      sendSse(res, fixture('anthropic-error-mid-stream.sse.txt')),
    );
    const seen: StreamEvent[] = [];
    const error = await failure(
      (async () => {
        for await (const e of client.stream(hello)) seen.push(e);
      })(),
    );
    expect(seen).toEqual([{ type: 'text-delta', text: 'Bon' }]);
    expect(isModelCallError(error, 'overloaded')).toBe(true);
    expect((error as { providerCode?: string }).providerCode).toBe('overloaded_error');
  });

  it('throws network for a stream that ends without message_stop', async () => {
    const client = await clientFor((_, res) =>
      sendSse(res, fixture('anthropic-no-message-stop.sse.txt')),
    );
    const error = await failure(collect(client.stream(hello)));
    expect(isModelCallError(error, 'network')).toBe(true);
    expect((error as Error).message).toMatch(/before message_stop/);
  });

  it('classifies 529 before the stream began as overloaded', async () => {
    const client = await clientFor(json('anthropic-529-overloaded.json', 529));
    const error = await failure(collect(client.stream(hello)));
    expect(isModelCallError(error, 'overloaded')).toBe(true);
  });
});
