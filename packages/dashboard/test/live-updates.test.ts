import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { createNode, defineActor, type Node } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ApiErrorBody,
  type DashboardServer,
  type DashboardSnapshot,
  serveDashboard,
} from '../src/index.js';
import { SseClient } from '../src/internal/sse-client.js';
import { send } from './http-client.js';

const idle = defineActor<null, undefined>({ init: () => null });

const open: { node: Node; server: DashboardServer }[] = [];
afterEach(async () => {
  for (const { node, server } of open.splice(0)) {
    await server.close();
    await node.stop();
  }
});

async function world(options: Parameters<typeof serveDashboard>[1] = {}) {
  const clock = new TestClock();
  const node = createNode({ name: 'n1', clock });
  const server = await serveDashboard(node, { uiDir: false, ...options });
  open.push({ node, server });
  return { clock, node, server, base: `http://127.0.0.1:${server.port}` };
}

/** A live connection read block by block (an SSE message or comment each), as it arrives. */
interface Stream {
  readonly response: IncomingMessage;
  /** The next block, or undefined once the stream ended. */
  next(): Promise<string | undefined>;
  /** The next `snapshot` event's data, skipping anything else. */
  snapshot(): Promise<DashboardSnapshot>;
  close(): void;
}

function subscribe(server: DashboardServer): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`http://127.0.0.1:${server.port}/api/events`, {
      headers: { authorization: `Bearer ${server.token}` },
      agent: false,
    });
    req.on('error', reject);
    req.on('response', (response) => {
      let buffer = '';
      let ended = false;
      const blocks: string[] = [];
      const waiting: ((block: string | undefined) => void)[] = [];
      const deliver = () => {
        while (waiting.length > 0 && (blocks.length > 0 || ended)) {
          (waiting.shift() as (b: string | undefined) => void)(blocks.shift());
        }
      };
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          blocks.push(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
        deliver();
      });
      const finish = () => {
        ended = true;
        deliver();
      };
      response.on('end', finish);
      response.on('close', finish);
      const next = () =>
        new Promise<string | undefined>((done) => {
          waiting.push(done);
          deliver();
        });
      resolve({
        response,
        next,
        async snapshot() {
          for (let i = 0; i < 100; i++) {
            const block = await next();
            if (block === undefined) throw new Error('the stream ended');
            if (block.startsWith('event: snapshot\n')) {
              return JSON.parse(block.slice('event: snapshot\ndata: '.length)) as DashboardSnapshot;
            }
          }
          throw new Error('no snapshot in 100 blocks');
        },
        close: () => req.destroy(),
      });
    });
    req.end();
  });
}

describe('live updates over Server-Sent Events', () => {
  it('sends a snapshot at once, then one after each change, at most every intervalMs', async () => {
    const { clock, node, server } = await world({ intervalMs: 250 });
    const stream = await subscribe(server);
    expect(stream.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.response.headers['cache-control']).toBe('no-store');
    expect(await stream.next()).toBe('retry: 2000');
    const first = await stream.snapshot();
    expect(first.nodes[0]?.processes).toEqual([]);
    const pid = node.spawn(idle);
    node.register('fresh', pid);
    await clock.advance(250);
    const second = await stream.snapshot();
    expect(second.version).toBeGreaterThan(first.version);
    expect(second.nodes[0]?.processes.map((p) => p.name)).toEqual(['fresh']);
    stream.close();
  });

  it('sends a heartbeat comment to a quiet connection, on the node clock', async () => {
    const { clock, server } = await world({ intervalMs: 250, heartbeatMs: 1_000 });
    const stream = await subscribe(server);
    await stream.snapshot();
    // The first tick sends what changed since the dashboard started; then nothing changes.
    await clock.advance(250);
    await stream.snapshot();
    await clock.advance(750);
    await clock.advance(250);
    expect(await stream.next()).toBe(': heartbeat');
    stream.close();
  });

  it('refuses a connection past maxClients and frees the place when one leaves', async () => {
    const { clock, server, base } = await world({ maxClients: 1 });
    const first = await subscribe(server);
    await first.snapshot();
    const refused = await send(`${base}/api/events`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    expect([refused.status, refused.json<ApiErrorBody>().error.code]).toEqual([
      503,
      'ERR_TOO_MANY_CLIENTS',
    ]);
    expect(refused.headers['retry-after']).toBe('5');
    const gone = new Promise((resolve) => first.response.once('close', resolve));
    first.close();
    await gone;
    // The server sees the close on its next turn; a tick of the clock lets it run.
    await clock.advance(250);
    expect(server.clients).toBe(0);
    // Nobody listens: no push timer is left running.
    expect(clock.pendingTimers).toBe(0);
    const second = await subscribe(server);
    expect((await second.snapshot()).nodes).toHaveLength(1);
    second.close();
  });

  it('drops a client that stops reading instead of buffering for it', async () => {
    const { clock, node, server } = await world({
      intervalMs: 10,
      clientQueue: 4,
      deadLetters: 100,
    });
    const socket = connect(server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
        `Authorization: Bearer ${server.token}\r\n\r\n`,
    );
    socket.pause(); // it never reads: the kernel's buffers fill, then the server's queue
    const closed = new Promise((resolve) => socket.once('close', resolve));
    const dead = node.spawn(idle);
    await node.stopProcess(dead);
    let ticks = 0;
    // Each tick makes the snapshot change (one more dead letter) and pushes it, ~40 kB a time.
    while (server.dropped === 0 && ticks < 3_000) {
      node.send(dead, { payload: 'x'.repeat(400), tick: ticks });
      await clock.advance(10);
      ticks++;
    }
    expect(server.dropped).toBe(1);
    expect(server.clients).toBe(0);
    socket.resume();
    await closed;
    // Another page connects and is served as usual.
    const stream = await subscribe(server);
    expect((await stream.snapshot()).nodes[0]?.deadLetters.count).toBe(ticks);
    stream.close();
  });

  it('ends every live connection when closed', async () => {
    const { server } = await world();
    const stream = await subscribe(server);
    await stream.snapshot();
    await server.close();
    // Whatever was in flight arrives, then the stream ends.
    let block = await stream.next();
    for (let i = 0; i < 100 && block !== undefined; i++) block = await stream.next();
    expect(block).toBeUndefined();
    expect(server.clients).toBe(0);
  });
});

describe('a client queue', () => {
  it('queues while the socket pushes back, flushes on drain, and drops past its capacity', () => {
    const written: string[] = [];
    let release: (() => void) | undefined;
    // A real stream that takes one chunk and holds it until released.
    const sink = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, callback) {
        written.push(chunk.toString());
        release = () => callback();
      },
    });
    const dropped: SseClient[] = [];
    const client = new SseClient(sink, 2, (c) => dropped.push(c));
    expect(client.send('a')).toBe(true); // written; the stream is now full
    expect(client.send('b')).toBe(true);
    expect(client.send('c')).toBe(true);
    expect(client.queued).toBe(2);
    expect(written).toEqual(['a']);
    release?.(); // drain: the queue flushes until the stream pushes back again
    expect(written).toEqual(['a', 'b']);
    expect(client.queued).toBe(1);
    expect(client.send('d')).toBe(true);
    expect(client.send('e')).toBe(false); // a third message waiting: dropped
    expect(dropped).toEqual([client]);
    expect(client.closed).toBe(true);
    expect(client.queued).toBe(0);
    expect(sink.destroyed).toBe(true);
  });
});
