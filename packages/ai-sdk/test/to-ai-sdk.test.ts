import { APICallError } from '@ai-sdk/provider';
import { ModelCallError } from '@warden/agents';
import { generateText, stepCountIs, streamText, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toAiSdk } from '../src/index.js';
import { scriptedClient, textResponse } from './scripted-client.js';

const weatherTool = (seen: unknown[]) =>
  tool({
    description: 'The weather in a city',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => {
      seen.push(city);
      return { city, celsius: 21 };
    },
  });

const toolCallTurn = {
  respond: {
    content: [
      { type: 'text' as const, text: 'Let me look. ' },
      { type: 'tool-call' as const, callId: 'call-1', name: 'weather', input: { city: 'Oslo' } },
    ],
    finishReason: 'tool-calls' as const,
    usage: { inputTokens: 40, outputTokens: 9 },
    model: 'scripted-1',
  },
};

describe('toAiSdk under generateText', () => {
  it('answers with the client text, its finish reason and its usage', async () => {
    const client = scriptedClient([
      textResponse('Hello there', {
        inputTokens: 100,
        outputTokens: 20,
        cacheReadTokens: 60,
        cacheWriteTokens: 10,
        reasoningTokens: 5,
      } as never),
    ]);
    const result = await generateText({
      model: toAiSdk(client),
      system: 'Be brief.',
      prompt: 'Say hello',
      maxRetries: 0,
    });
    expect(result.text).toBe('Hello there');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBe(100);
    expect(result.usage.outputTokens).toBe(20);
    expect(result.usage.inputTokenDetails).toEqual({
      noCacheTokens: 30,
      cacheReadTokens: 60,
      cacheWriteTokens: 10,
    });
    expect(result.usage.outputTokenDetails).toEqual({ textTokens: 15, reasoningTokens: 5 });
    expect(result.response.modelId).toBe('scripted-1');
    expect(client.requests[0]?.system).toBe('Be brief.');
    expect(client.requests[0]?.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Say hello' }] },
    ]);
  });

  it('runs a tool the client calls and sends its result back on the next step', async () => {
    const client = scriptedClient([toolCallTurn, textResponse('It is 21 degrees in Oslo.')]);
    const seen: unknown[] = [];
    const result = await generateText({
      model: toAiSdk(client),
      prompt: 'Weather in Oslo?',
      tools: { weather: weatherTool(seen) },
      toolChoice: 'auto',
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(seen).toEqual(['Oslo']);
    expect(result.text).toBe('It is 21 degrees in Oslo.');
    expect(result.steps).toHaveLength(2);
    const first = client.requests[0];
    expect(first?.tools).toEqual([
      expect.objectContaining({ name: 'weather', description: 'The weather in a city' }),
    ]);
    expect(first?.tools?.[0]?.inputSchema).toMatchObject({
      type: 'object',
      properties: { city: { type: 'string' } },
    });
    expect(first?.toolChoice).toBe('auto');
    const second = client.requests[1];
    expect(second?.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me look. ' },
          { type: 'tool-call', callId: 'call-1', name: 'weather', input: { city: 'Oslo' } },
        ],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            callId: 'call-1',
            name: 'weather',
            output: { city: 'Oslo', celsius: 21 },
          },
        ],
      },
    ]);
  });

  it('surfaces a rate limit as a retryable APICallError with its status and Retry-After', async () => {
    const client = scriptedClient([
      {
        fail: new ModelCallError('rate_limited', 'slow down', {
          status: 429,
          retryAfterMs: 1500,
          providerCode: 'rate_limit_exceeded',
        }),
      },
    ]);
    const error = await generateText({ model: toAiSdk(client), prompt: 'hi', maxRetries: 0 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(APICallError.isInstance(error)).toBe(true);
    const apiError = error as APICallError;
    expect(apiError.statusCode).toBe(429);
    expect(apiError.isRetryable).toBe(true);
    expect(apiError.responseHeaders).toEqual({ 'retry-after-ms': '1500', 'retry-after': '2' });
    expect(apiError.data).toMatchObject({ _tag: 'ModelCallError', kind: 'rate_limited' });
  });

  it('surfaces an expired credential as an APICallError that is not retried', async () => {
    const client = scriptedClient([
      { fail: new ModelCallError('auth', 'invalid x-api-key', { status: 401 }) },
      textResponse('never reached'),
    ]);
    // The AI SDK's own retry (2 by default) leaves a non-retryable error alone.
    const error = await generateText({ model: toAiSdk(client), prompt: 'hi' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(APICallError.isInstance(error)).toBe(true);
    expect((error as APICallError).statusCode).toBe(401);
    expect((error as APICallError).isRetryable).toBe(false);
    expect(client.requests).toHaveLength(1);
  });

  it('surfaces something other than a ModelCallError as a non-retryable APICallError', async () => {
    const broken = {
      ...scriptedClient([]),
      generate: async () => Promise.reject(new Error('bug')),
    };
    const error = await generateText({ model: toAiSdk(broken), prompt: 'hi' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(APICallError.isInstance(error)).toBe(true);
    expect((error as APICallError).isRetryable).toBe(false);
    expect((error as APICallError).data).toMatchObject({ kind: 'unknown', message: 'bug' });
  });

  it('passes the abort signal to the client and rejects with the abort', async () => {
    const client = scriptedClient([{ hang: true }]);
    const controller = new AbortController();
    const pending = generateText({
      model: toAiSdk(client),
      prompt: 'hi',
      abortSignal: controller.signal,
      maxRetries: 0,
    });
    await Promise.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(client.requests).toHaveLength(1);
    controller.abort();
    const error = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).name).toBe('AbortError');
    expect(client.requests[0]?.signal?.aborted).toBe(true);
  });
});

describe('toAiSdk under streamText', () => {
  it('streams text deltas, then the finish with its usage', async () => {
    const client = scriptedClient([
      textResponse('one two three', { inputTokens: 7, outputTokens: 3 }),
    ]);
    const result = streamText({ model: toAiSdk(client), prompt: 'count', maxRetries: 0 });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas).toEqual(['one ', 'two ', 'three']);
    expect(await result.finishReason).toBe('stop');
    expect((await result.usage).inputTokens).toBe(7);
    expect((await result.usage).outputTokens).toBe(3);
  });

  it('streams a tool call, runs the tool and streams the next step', async () => {
    const client = scriptedClient([toolCallTurn, textResponse('21 degrees.')]);
    const seen: unknown[] = [];
    const result = streamText({
      model: toAiSdk(client),
      prompt: 'Weather in Oslo?',
      tools: { weather: weatherTool(seen) },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    const kinds: string[] = [];
    for await (const part of result.fullStream) kinds.push(part.type);
    expect(seen).toEqual(['Oslo']);
    expect(await result.text).toBe('21 degrees.');
    expect(kinds).toContain('tool-call');
    expect(kinds).toContain('tool-result');
    const calls = (await result.steps)[0]?.toolCalls ?? [];
    expect(calls.map((c) => [c.toolCallId, c.toolName, c.input])).toEqual([
      ['call-1', 'weather', { city: 'Oslo' }],
    ]);
    expect(client.requests[1]?.messages.at(-1)?.role).toBe('tool');
  });

  it('rejects a refused stream as an APICallError before any part arrives', async () => {
    const client = scriptedClient([
      { fail: new ModelCallError('overloaded', 'Overloaded', { status: 529 }) },
    ]);
    const errors: unknown[] = [];
    const result = streamText({
      model: toAiSdk(client),
      prompt: 'hi',
      maxRetries: 0,
      onError: ({ error }) => {
        errors.push(error);
      },
    });
    await result.consumeStream();
    expect(errors).toHaveLength(1);
    expect(APICallError.isInstance(errors[0])).toBe(true);
    expect((errors[0] as APICallError).statusCode).toBe(529);
    expect((errors[0] as APICallError).isRetryable).toBe(true);
  });

  it('closes the client stream when the consumer aborts mid-stream', async () => {
    const client = scriptedClient([{ stall: 'a b c' }]);
    const controller = new AbortController();
    const result = streamText({
      model: toAiSdk(client),
      prompt: 'hi',
      abortSignal: controller.signal,
      maxRetries: 0,
    });
    const seen: string[] = [];
    for await (const delta of result.textStream) {
      seen.push(delta);
      if (seen.length === 3) controller.abort();
    }
    expect(seen).toEqual(['a ', 'b ', 'c']);
    expect(client.requests[0]?.signal?.aborted).toBe(true);
    expect(client.closedEarly).toBe(1);
  });
});
