import { TestClock } from '@warden/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createOpenAIClient,
  isModelCallError,
  type ModelClient,
  type ModelRequest,
} from '../../src/index.js';
import { failure } from './call-outcome.js';
import {
  fixture,
  replyJson as json,
  type StubHandler,
  type StubServer,
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

  it('classifies an error body sent with a 200 by its body', async () => {
    const client = await clientFor(json('openrouter-200-error-body.json'));
    const error = await failure(client.generate(hello));
    expect(isModelCallError(error, 'server')).toBe(true);
    expect((error as { providerCode?: string }).providerCode).toBe('502');
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
