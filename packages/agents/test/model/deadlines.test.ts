import { getEventListeners } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isWardenError } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createAnthropicClient,
  createOpenAIClient,
  isModelCallError,
  type ModelClient,
  type ModelRequest,
  type StreamEvent,
} from '../../src/index.js';
import { fixture, type StubHandler, type StubServer, startStub } from './stub-server.js';

let stub: StubServer | undefined;
let clock: TestClock;

afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const TIMEOUT = 30_000;
const IDLE = 5_000;

async function clientFor(
  handler: StubHandler,
  provider: 'openai' | 'anthropic' = 'openai',
): Promise<ModelClient> {
  stub = await startStub(handler);
  clock = new TestClock();
  const options = {
    baseUrl: stub.baseUrl,
    apiKey: 'k',
    model: 'm',
    clock,
    timeoutMs: TIMEOUT,
    idleTimeoutMs: IDLE,
  };
  return provider === 'openai' ? createOpenAIClient(options) : createAnthropicClient(options);
}

const hello: ModelRequest = {
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
};

/** Settles `work` into its error (or undefined), without an unhandled rejection meanwhile. */
function outcome(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** Opens an event stream and writes nothing more until the test says so. */
function holdOpen(responses: ServerResponse[], first = ''): StubHandler {
  return (_, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
    if (first !== '') res.write(first);
    responses.push(res);
  };
}

const [firstChunk = '', ...restChunks] = fixture('openai-text.sse.txt').split(/(?<=\n\n)/);

describe('deadlines on the node clock', () => {
  it('times out a request that is never answered, and the server sees the socket close', async () => {
    const client = await clientFor(() => {});
    const result = outcome(client.generate(hello));
    const request = await (stub as StubServer).nextRequest();
    await clock.advance(TIMEOUT - 1);
    await clock.advance(1);
    const error = await result;
    expect(isModelCallError(error, 'timeout')).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(true);
    await request.abandoned;
    expect(clock.pendingTimers).toBe(0);
  });

  it('times out a body that never ends', async () => {
    const client = await clientFor((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":"chatcmpl-1","choices":[');
    });
    const result = outcome(client.generate(hello));
    const request = await (stub as StubServer).nextRequest();
    await clock.advance(TIMEOUT);
    expect(isModelCallError(await result, 'timeout')).toBe(true);
    await request.abandoned;
  });

  it('times out a stream that goes silent for the idle timeout, long before the deadline', async () => {
    const held: ServerResponse[] = [];
    const client = await clientFor(holdOpen(held, firstChunk + (restChunks[0] ?? '')));
    const iterator = client.stream(hello)[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual({ type: 'text-delta', text: 'Bonjour' });
    let settled = false;
    const silent = outcome(iterator.next()).finally(() => {
      settled = true;
    });
    await clock.advance(IDLE - 1);
    expect(settled).toBe(false);
    await clock.advance(1);
    const error = await silent;
    expect(isModelCallError(error, 'timeout')).toBe(true);
    expect((error as Error).message).toMatch(/silent for 5000 ms/);
    expect(clock.now()).toBeLessThan(TIMEOUT);
    await (stub as StubServer).requests[0]?.abandoned;
    expect(clock.pendingTimers).toBe(0);
  });

  it('does not count the consumer holding a chunk as silence', async () => {
    const held: ServerResponse[] = [];
    const client = await clientFor(holdOpen(held));
    const iterator = client.stream(hello)[Symbol.asyncIterator]();
    const first = iterator.next();
    await (stub as StubServer).nextRequest();
    (held[0] as ServerResponse).write(firstChunk + (restChunks[0] ?? ''));
    expect((await first).value).toEqual({ type: 'text-delta', text: 'Bonjour' });
    await clock.advance(IDLE * 3);
    for (const chunk of restChunks.slice(1)) (held[0] as ServerResponse).write(chunk);
    (held[0] as ServerResponse).end();
    const events: StreamEvent[] = [];
    for (let r = await iterator.next(); r.done !== true; r = await iterator.next())
      events.push(r.value);
    expect(events.at(-1)?.type).toBe('finish');
  });

  it('bounds a whole stream by the deadline even while chunks keep coming', async () => {
    const held: ServerResponse[] = [];
    const client = await clientFor(holdOpen(held, firstChunk));
    const iterator = client.stream(hello)[Symbol.asyncIterator]();
    const delta = 'data: {"choices":[{"index":0,"delta":{"content":"x"}}]}\n\n';
    let next = outcome(iterator.next());
    await (stub as StubServer).nextRequest();
    while (clock.now() < TIMEOUT) {
      (held[0] as ServerResponse).write(delta);
      expect(await next).toBeUndefined();
      next = outcome(iterator.next());
      await clock.advance(IDLE - 1);
    }
    const error = await next;
    expect(isModelCallError(error, 'timeout')).toBe(true);
    expect((error as Error).message).toMatch(/within 30000 ms/);
  });
});

describe('cancellation by the caller', () => {
  it('rejects with ERR_ABORTED, not a model error, and aborts the HTTP request', async () => {
    const client = await clientFor(() => {});
    const controller = new AbortController();
    const result = outcome(client.generate({ ...hello, signal: controller.signal }));
    const request = await (stub as StubServer).nextRequest();
    controller.abort(new Error('agent killed'));
    const error = await result;
    expect(isWardenError(error, 'ERR_ABORTED')).toBe(true);
    expect(isModelCallError(error)).toBe(false);
    await request.abandoned;
    expect(clock.pendingTimers).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('aborts a stream in the middle, and the server sees the socket close', async () => {
    const held: ServerResponse[] = [];
    const client = await clientFor(holdOpen(held), 'anthropic');
    const controller = new AbortController();
    const iterator = client.stream({ ...hello, signal: controller.signal })[Symbol.asyncIterator]();
    const first = iterator.next();
    const request = await (stub as StubServer).nextRequest();
    const [start = '', block = '', ping = '', delta = ''] =
      fixture('anthropic-text.sse.txt').split(/(?<=\n\n)/);
    (held[0] as ServerResponse).write(start + block + ping + delta);
    expect((await first).value).toEqual({ type: 'text-delta', text: 'Bonjour' });
    const second = outcome(iterator.next());
    controller.abort();
    expect(isWardenError(await second, 'ERR_ABORTED')).toBe(true);
    await request.abandoned;
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects an already aborted call without sending it', async () => {
    const client = await clientFor(() => {});
    const error = await outcome(client.generate({ ...hello, signal: AbortSignal.abort() }));
    expect(isWardenError(error, 'ERR_ABORTED')).toBe(true);
    expect(stub?.requests).toHaveLength(0);
  });

  it('closes the connection when the consumer stops reading early', async () => {
    const held: ServerResponse[] = [];
    const client = await clientFor(holdOpen(held, firstChunk + (restChunks[0] ?? '')));
    for await (const event of client.stream(hello)) {
      expect(event).toEqual({ type: 'text-delta', text: 'Bonjour' });
      break;
    }
    await (stub as StubServer).requests[0]?.abandoned;
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('connection failures', () => {
  it('classifies a refused connection as network', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    clock = new TestClock();
    const client = createOpenAIClient({
      baseUrl: `http://127.0.0.1:${port}/v1`,
      apiKey: 'k',
      model: 'm',
      clock,
    });
    const error = await outcome(client.generate(hello));
    expect(isModelCallError(error, 'network')).toBe(true);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect(clock.pendingTimers).toBe(0);
  });

  it('classifies a connection reset before the answer as network', async () => {
    const client = await clientFor((_, res) => res.socket?.destroy());
    const error = await outcome(client.generate(hello));
    expect(isModelCallError(error, 'network')).toBe(true);
  });
});

describe('configuration', () => {
  it('refuses bad options naming the field', () => {
    const clock = new TestClock();
    const bad = (options: object) => {
      try {
        createOpenAIClient({ apiKey: 'k', model: 'm', clock, ...options } as never);
      } catch (error) {
        return (error as { field?: string }).field;
      }
      return undefined;
    };
    expect(bad({ baseUrl: 'ftp://x' })).toBe('baseUrl');
    expect(bad({ timeoutMs: 0 })).toBe('timeoutMs');
    expect(bad({ idleTimeoutMs: Number.NaN })).toBe('idleTimeoutMs');
    expect(bad({ apiKey: '' })).toBe('apiKey');
    expect(bad({ clock: undefined })).toBe('clock');
    expect(bad({})).toBeUndefined();
    expect(() =>
      createAnthropicClient({ apiKey: 'k', model: 'm', clock, maxOutputTokens: 0 }),
    ).toThrow(/maxOutputTokens/);
  });
});
