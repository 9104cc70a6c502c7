/**
 * The code examples of docs/agents/models.md, as regions that run and pass against a stub
 * provider on 127.0.0.1 (see docs-examples.test.ts: each docs block equals its region).
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  classifyHttpError,
  createOpenAIClient,
  isModelCallError,
  type ModelCallError,
  type StreamEvent,
} from '@warden/agents';
import { TestClock } from '@warden/core/testing';
import { afterEach, describe, expect, it } from 'vitest';

const completion = {
  id: 'chatcmpl-1',
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Paris.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 0 } },
};

const chunks = [
  { choices: [{ index: 0, delta: { role: 'assistant', content: 'Par' }, finish_reason: null }] },
  { choices: [{ index: 0, delta: { content: 'is.' }, finish_reason: 'stop' }] },
  { choices: [], usage: { prompt_tokens: 12, completion_tokens: 2 } },
];

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A provider that answers every call as `status` with `body`, or streams when asked to. */
async function provider(status = 200, body: unknown = completion): Promise<string> {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => {
      text += c.toString();
    });
    req.on('end', () => {
      if (status === 200 && JSON.parse(text).stream === true) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const c of chunks) res.write(`data: ${JSON.stringify(c)}\n\n`);
        res.end('data: [DONE]\n\n');
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json', 'retry-after-ms': '1500' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

describe('models docs examples', () => {
  it('a client and one call (models.md)', async () => {
    const baseUrl = await provider();
    const clock = new TestClock();
    const apiKey = 'sk-test';
    const signal = new AbortController().signal;
    // #region model-client
    const client = createOpenAIClient({ baseUrl, apiKey, model: 'gpt-4o-mini', clock });
    const answer = await client.generate({
      system: 'Answer in one word.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Capital of France?' }] }],
      signal, // the agent's ctx.signal: killing the agent aborts the HTTP request
    });
    // answer.content: [{ type: 'text', text: 'Paris.' }], answer.finishReason: 'stop'
    // answer.usage: { inputTokens: 12, outputTokens: 2, cacheReadTokens: 0 }
    // #endregion
    expect(answer.content).toEqual([{ type: 'text', text: 'Paris.' }]);
    expect(answer.finishReason).toBe('stop');
    expect(answer.usage).toEqual({ inputTokens: 12, outputTokens: 2, cacheReadTokens: 0 });
  });

  it('a stream (models.md)', async () => {
    const baseUrl = await provider();
    const clock = new TestClock();
    const client = createOpenAIClient({ baseUrl, apiKey: 'k', model: 'gpt-4o-mini', clock });
    const request = {
      messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'Hi' }] }],
    };
    const seen: StreamEvent[] = [];
    const print = (e: StreamEvent) => seen.push(e);
    // #region model-stream
    for await (const event of client.stream(request)) {
      if (event.type === 'text-delta') print(event); // 'Par', 'is.'
      if (event.type === 'tool-call') print(event); // whole, its input parsed
      if (event.type === 'finish') print(event); // exactly one, last: reason and usage
    }
    // #endregion
    expect(seen.map((e) => e.type)).toEqual(['text-delta', 'text-delta', 'finish']);
  });

  it('a typed error (models.md)', async () => {
    const baseUrl = await provider(429, {
      error: {
        message: 'You exceeded your current quota, please check your plan and billing details.',
        type: 'insufficient_quota',
        code: 'insufficient_quota',
      },
    });
    const clock = new TestClock();
    const client = createOpenAIClient({ baseUrl, apiKey: 'k', model: 'gpt-4o-mini', clock });
    const request = {
      messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'Hi' }] }],
    };
    let caught: ModelCallError | undefined;
    // #region model-error
    try {
      await client.generate(request);
    } catch (error) {
      if (isModelCallError(error)) {
        // error.kind: 'quota_exhausted' (a 429, but the body says the money is spent)
        // error.status: 429, error.providerCode: 'insufficient_quota', error.retryable: false
        caught = error;
      }
    }
    // #endregion
    expect(caught?.kind).toBe('quota_exhausted');
    expect(caught?.status).toBe(429);
    expect(caught?.providerCode).toBe('insufficient_quota');
    expect(caught?.retryable).toBe(false);
    expect(caught?.retryAfterMs).toBe(1500);
  });

  it('classifying for another transport (models.md)', () => {
    const apiCallError = {
      statusCode: 529,
      responseHeaders: { 'retry-after': '2' },
      responseBody: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
    };
    // #region model-classify
    const error = classifyHttpError({
      provider: 'anthropic',
      status: apiCallError.statusCode,
      headers: apiCallError.responseHeaders,
      body: apiCallError.responseBody,
    });
    // error.kind: 'overloaded', error.retryAfterMs: 2000, error.providerCode: 'overloaded_error'
    // #endregion
    expect(error.kind).toBe('overloaded');
    expect(error.retryAfterMs).toBe(2000);
    expect(error.providerCode).toBe('overloaded_error');
  });
});
