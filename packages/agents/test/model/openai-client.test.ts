import { TestClock } from '@warden/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createOpenAIClient,
  isModelCallError,
  type ModelClient,
  type ModelRequest,
} from '../../src/index.js';
import { failure } from './call-outcome.js';
import { replyJson as json, type StubHandler, type StubServer, startStub } from './stub-server.js';

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
