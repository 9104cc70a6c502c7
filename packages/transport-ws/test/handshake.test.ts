// Authentication in the HTTP upgrade, before any WebSocket exists (docs/security.md).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createWsTransport, isWsTransportError, type WsTransportEvent } from '../src/index.js';
import { CHALLENGE_PATH, HEADER } from '../src/internal/handshake.js';
import { identityOf } from './credentials.js';
import { nodeStarter, SECRET } from './harness.js';
import { rawUpgrade, signedHello } from './http-probe.js';

const start = nodeStarter();

describe('the cluster secret', () => {
  it('is required: creating a transport without one throws ERR_NO_SECRET', () => {
    const error = (() => {
      try {
        createWsTransport({} as never);
      } catch (e) {
        return e;
      }
    })();
    expect(isWsTransportError(error, 'ERR_NO_SECRET')).toBe(true);
    expect(() => createWsTransport({ secret: '', identity: identityOf('a') })).toThrow(/secret/);
  });

  it('must be at least 32 bytes (ERR_WEAK_SECRET)', () => {
    expect(() => createWsTransport({ secret: 'short', identity: identityOf('a') })).toThrowError(
      expect.objectContaining({ code: 'ERR_WEAK_SECRET' }),
    );
  });
});

describe('the handshake refuses before any WebSocket exists', () => {
  async function guarded() {
    const events: WsTransportEvent[] = [];
    const clock = new TestClock();
    const a = await start('a', clock, { onEvent: (e) => events.push(e) });
    const refusals = () => events.filter((e) => e.type === 'handshake.rejected');
    const ups = () => events.filter((e) => e.type === 'connection.up');
    return { a, clock, refusals, ups };
  }

  it('refuses a peer with the wrong secret with 401, and the dialer gets ERR_AUTH_REJECTED', async () => {
    const { a, clock, refusals, ups } = await guarded();
    const b = await start('b', clock, { secret: 'another-secret-0123456789-abcdefghijkl' });
    const error = await b.transport.connect(a.address).catch((e: unknown) => e);
    expect(isWsTransportError(error, 'ERR_AUTH_REJECTED')).toBe(true);
    expect(refusals()).toEqual([{ type: 'handshake.rejected', status: 401, reason: 'bad proof' }]);
    expect(ups()).toEqual([]);
    expect(a.node.nodes()).toEqual([]);
  });

  it('refuses an upgrade without the handshake headers with 401 (malformed hello)', async () => {
    const { a, refusals, ups } = await guarded();
    expect((await rawUpgrade(a.address, {})).status).toBe(401);
    expect(refusals().map((e) => (e as { reason: string }).reason)).toEqual(['malformed hello']);
    expect(ups()).toEqual([]);
  });

  it('refuses a replayed handshake with 401 even though its proof is valid', async () => {
    const { a, refusals } = await guarded();
    const { headers } = await signedHello(a.address);
    expect((await rawUpgrade(a.address, headers)).status).toBe(101);
    expect((await rawUpgrade(a.address, headers)).status).toBe(401);
    expect(refusals().map((e) => (e as { reason: string }).reason)).toEqual(['replayed handshake']);
  });

  it('refuses a forged challenge, a stale timestamp and a hello for another node', async () => {
    const { a, refusals } = await guarded();
    const forged = await signedHello(a.address, { challenge: 'A'.repeat(54) });
    expect((await rawUpgrade(a.address, forged.headers)).status).toBe(401);
    const stale = await signedHello(a.address, { time: Date.now() - 60_000 });
    expect((await rawUpgrade(a.address, stale.headers)).status).toBe(401);
    const elsewhere = await signedHello(a.address, { target: 'z' });
    expect((await rawUpgrade(a.address, elsewhere.headers)).status).toBe(401);
    expect(refusals().map((e) => (e as { reason: string }).reason)).toEqual([
      'unknown or expired challenge',
      'clock skew',
      'wrong target node',
    ]);
  });

  it('refuses a challenge older than the handshake window', async () => {
    let now = 1_000_000;
    const clock = new TestClock();
    const a = await start('a', clock, { wallClock: () => now, handshakeWindow: 1000 });
    const { headers } = await signedHello(a.address, { time: 1_001_500 });
    now += 1500;
    expect((await rawUpgrade(a.address, headers)).status).toBe(401);
  });

  it('refuses requests carrying an Origin header with 403 (no browser page reaches a node)', async () => {
    const { a } = await guarded();
    const { headers } = await signedHello(a.address);
    expect(
      (await rawUpgrade(a.address, { ...headers, origin: 'https://evil.example' })).status,
    ).toBe(403);
    const challenge = await fetch(`http://${a.address}${CHALLENGE_PATH}`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(challenge.status).toBe(403);
  });

  it('answers 404 on any other path', async () => {
    const { a } = await guarded();
    const { headers } = await signedHello(a.address);
    expect((await rawUpgrade(a.address, headers, '/other')).status).toBe(404);
  });

  it('refuses a version 2 peer: 404 on the version 2 path, 401 for a version 2 hello', async () => {
    const { a, refusals } = await guarded();
    const old = await signedHello(a.address);
    expect((await rawUpgrade(a.address, old.headers, '/warden/v2')).status).toBe(404);
    const { headers } = await signedHello(a.address);
    expect((await rawUpgrade(a.address, { ...headers, [HEADER.version]: '2' })).status).toBe(401);
    expect(refusals().map((e) => (e as { reason: string }).reason)).toEqual([
      'unknown path',
      'malformed hello',
    ]);
  });
});

describe('mutual authentication', () => {
  let fake: { close(): void } | undefined;
  afterEach(() => {
    fake?.close();
    fake = undefined;
  });

  it('refuses a server that cannot prove the secret before sending it a single frame', async () => {
    // A server that answers challenges and upgrades but does not know the secret.
    const frames: unknown[] = [];
    const wss = new WebSocketServer({ noServer: true });
    wss.on('headers', (headers) =>
      headers.push(
        `${HEADER.node}: impostor`,
        `${HEADER.incarnation}: imp0000001`,
        `${HEADER.address}: `,
        `${HEADER.maxPayload}: 1048576`,
        `${HEADER.proof}: ${'A'.repeat(43)}`,
      ),
    );
    wss.on('connection', (ws) => ws.on('message', (m) => frames.push(m)));
    const server = createServer((_req, res) => {
      res.setHeader(HEADER.challenge, 'x'.repeat(54));
      res.setHeader(HEADER.node, 'impostor');
      res.writeHead(200).end();
    });
    server.on('upgrade', (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws)),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake = {
      close: () => {
        for (const c of wss.clients) c.terminate();
        server.close();
        server.closeAllConnections();
      },
    };
    const transport = createWsTransport({ secret: SECRET, identity: identityOf('victim') });
    const node = createNode({ name: 'victim', clock: new TestClock(), transport });
    try {
      const error = await transport
        .connect(`127.0.0.1:${(server.address() as AddressInfo).port}`)
        .catch((e: unknown) => e);
      expect(isWsTransportError(error, 'ERR_AUTH_REJECTED')).toBe(true);
      expect(node.nodes()).toEqual([]);
      expect(frames).toEqual([]);
    } finally {
      await node.stop();
      await transport.close();
    }
  });
});
