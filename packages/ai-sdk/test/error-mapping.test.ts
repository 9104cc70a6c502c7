import { APICallError, LoadAPIKeyError } from '@ai-sdk/provider';
import {
  isModelCallError,
  type ModelCallError,
  ModelCallError as ModelCallErrorClass,
} from '@warden/agents';
import { MockLanguageModelV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { classifyAiSdkError, fromAiSdk, toAiSdk } from '../src/index.js';
import { scriptedClient } from './scripted-client.js';

const ORIGIN = { provider: 'openai.chat', model: 'gpt-test' };

function apiError(
  statusCode: number | undefined,
  responseBody: string,
  responseHeaders?: Record<string, string>,
  isRetryable?: boolean,
): APICallError {
  return new APICallError({
    message: `HTTP ${statusCode}`,
    url: 'https://api.example.com/v1/chat/completions',
    requestBodyValues: {},
    responseBody,
    ...(statusCode === undefined ? {} : { statusCode }),
    ...(responseHeaders === undefined ? {} : { responseHeaders }),
    ...(isRetryable === undefined ? {} : { isRetryable }),
  });
}

/** The error a `fromAiSdk` client gives when its model throws `thrown`. */
async function throughClient(thrown: unknown): Promise<ModelCallError> {
  const model = new MockLanguageModelV3({
    provider: ORIGIN.provider,
    modelId: ORIGIN.model,
    doGenerate: async () => {
      throw thrown;
    },
  });
  const error = await fromAiSdk(model)
    .generate({ messages: [] })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  if (!isModelCallError(error)) throw new Error(`not a ModelCallError: ${String(error)}`);
  return error;
}

describe('APICallError from an AI SDK provider, classified', () => {
  it('reads a 429 as rate_limited, with its Retry-After and the provider code', async () => {
    const error = await throughClient(
      apiError(
        429,
        '{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}',
        { 'retry-after': '7' },
      ),
    );
    expect(error).toMatchObject({
      kind: 'rate_limited',
      status: 429,
      retryAfterMs: 7000,
      providerCode: 'rate_limit_exceeded',
      retryable: true,
      provider: 'openai.chat',
      model: 'gpt-test',
    });
  });

  it('prefers retry-after-ms to retry-after', async () => {
    const error = await throughClient(
      apiError(429, '{}', { 'retry-after-ms': '250', 'retry-after': '1' }),
    );
    expect(error.retryAfterMs).toBe(250);
  });

  it('reads a 429 whose body says the quota is spent as quota_exhausted', async () => {
    const error = await throughClient(
      apiError(
        429,
        '{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}',
      ),
    );
    expect(error.kind).toBe('quota_exhausted');
    expect(error.retryable).toBe(false);
  });

  it('reads a 529 as overloaded', async () => {
    const error = await throughClient(
      apiError(529, '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'),
    );
    expect(error).toMatchObject({
      kind: 'overloaded',
      status: 529,
      providerCode: 'overloaded_error',
      retryable: true,
    });
  });

  it('reads a 503 as overloaded and a 500 as server', async () => {
    expect((await throughClient(apiError(503, 'Service Unavailable'))).kind).toBe('overloaded');
    expect((await throughClient(apiError(500, '<html>oops</html>'))).kind).toBe('server');
  });

  it("reads a 400 that says the context is too long as context_length (OpenAI's body)", async () => {
    const error = await throughClient(
      apiError(
        400,
        '{"error":{"message":"This model\'s maximum context length is 128000 tokens. However, your messages resulted in 130001 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}',
      ),
    );
    expect(error).toMatchObject({
      kind: 'context_length',
      status: 400,
      providerCode: 'context_length_exceeded',
      retryable: false,
    });
  });

  it("reads a 400 that says the prompt is too long as context_length (Anthropic's body)", async () => {
    const error = await throughClient(
      apiError(
        400,
        '{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 215000 tokens > 200000 maximum"}}',
      ),
    );
    expect(error.kind).toBe('context_length');
  });

  it('reads any other 400 as bad_request', async () => {
    const error = await throughClient(
      apiError(400, '{"error":{"message":"Invalid value for temperature","code":null}}'),
    );
    expect(error.kind).toBe('bad_request');
    expect(error.retryable).toBe(false);
  });

  it('reads a 401 as auth, not retried', async () => {
    const error = await throughClient(
      apiError(
        401,
        '{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}',
      ),
    );
    expect(error).toMatchObject({
      kind: 'auth',
      status: 401,
      providerCode: 'authentication_error',
      retryable: false,
    });
  });

  it('reads an APICallError without a status (no response) as network when retryable', async () => {
    expect((await throughClient(apiError(undefined, '', undefined, true))).kind).toBe('network');
  });
});

describe('other failures, classified', () => {
  it('reads a failed fetch as network', async () => {
    const thrown = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    });
    expect((await throughClient(thrown)).kind).toBe('network');
  });

  it('reads a missing API key as auth', async () => {
    expect(
      (await throughClient(new LoadAPIKeyError({ message: 'OPENAI_API_KEY is not set' }))).kind,
    ).toBe('auth');
  });

  it('reads anything else as unknown, never an untyped throw', async () => {
    expect((await throughClient(new RangeError('weird'))).kind).toBe('unknown');
    expect((await throughClient('a string')).kind).toBe('unknown');
    expect((await throughClient(undefined)).kind).toBe('unknown');
  });

  it('gives a ModelCallError back as it is', () => {
    const original = new ModelCallErrorClass('content_filter', 'filtered');
    expect(classifyAiSdkError(original, ORIGIN)).toBe(original);
  });
});

describe('round trip: fromAiSdk(toAiSdk(client))', () => {
  it('keeps the kind, status and Retry-After of a warden error across the AI SDK', async () => {
    const client = scriptedClient([
      {
        fail: new ModelCallErrorClass('quota_exhausted', 'credit balance too low', {
          status: 400,
          retryAfterMs: 60_000,
          providerCode: 'billing_error',
          provider: 'anthropic',
          model: 'claude-test',
        }),
      },
    ]);
    const error = await fromAiSdk(toAiSdk(client))
      .generate({ messages: [] })
      .then(
        () => undefined,
        (e: unknown) => e as ModelCallError,
      );
    expect(error?.toJSON()).toEqual({
      _tag: 'ModelCallError',
      code: 'ERR_MODEL_CALL',
      kind: 'quota_exhausted',
      message: 'credit balance too low',
      status: 400,
      retryAfterMs: 60_000,
      providerCode: 'billing_error',
      provider: 'anthropic',
      model: 'claude-test',
    });
  });

  it('keeps the conversation and the answer, tool calls included', async () => {
    const answer = {
      content: [
        { type: 'text' as const, text: 'Calling.' },
        { type: 'tool-call' as const, callId: 'c1', name: 'search', input: { q: 'otp', n: 3 } },
      ],
      finishReason: 'tool-calls' as const,
      usage: { inputTokens: 50, outputTokens: 8, cacheReadTokens: 20, reasoningTokens: 2 },
      model: 'scripted-1',
      responseId: 'r-1',
    };
    const client = scriptedClient([{ respond: answer }, { respond: answer }]);
    const request = {
      system: 'sys',
      messages: [
        { role: 'user' as const, content: [{ type: 'text' as const, text: 'find otp' }] },
        {
          role: 'assistant' as const,
          content: [
            { type: 'tool-call' as const, callId: 'c0', name: 'search', input: { q: 'x' } },
          ],
        },
        {
          role: 'tool' as const,
          content: [
            { type: 'tool-result' as const, callId: 'c0', name: 'search', output: ['a', 'b'] },
          ],
        },
      ],
      tools: [{ name: 'search', inputSchema: { type: 'object' } }],
      toolChoice: 'required' as const,
    };
    const adapted = fromAiSdk(toAiSdk(client));
    expect(await adapted.generate(request)).toEqual(answer);
    const events = [];
    for await (const event of adapted.stream(request)) events.push(event);
    expect(events).toEqual([
      { type: 'text-delta', text: 'Calling.' },
      { type: 'tool-call', callId: 'c1', name: 'search', input: { q: 'otp', n: 3 } },
      {
        type: 'finish',
        finishReason: 'tool-calls',
        usage: answer.usage,
        model: 'scripted-1',
        responseId: 'r-1',
      },
    ]);
    const { signal: _a, ...first } = client.requests[0] ?? { signal: undefined };
    expect(first).toEqual(request);
  });
});
