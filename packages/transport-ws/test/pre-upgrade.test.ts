// Sockets that have not completed a handshake are bounded in time and in number, whatever state
// their request is in (docs/security.md).
import { connect, type Socket } from 'node:net';
import { TestClock } from '@warden/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAddress } from '../src/index.js';
import { nodeStarter } from './harness.js';

const start = nodeStarter();

let opened: Socket[] = [];
afterEach(() => {
  for (const s of opened) s.destroy();
  opened = [];
});

/** A TCP socket to `address` that records whether it was closed, and by whom. */
async function rawSocket(
  address: string,
): Promise<{ socket: Socket; closed: Promise<'by server'> }> {
  const { host, port } = parseAddress(address);
  const socket = connect({ host, port });
  opened.push(socket);
  socket.on('error', () => {});
  socket.resume();
  const closed = new Promise<'by server'>((resolve) =>
    socket.once('close', () => resolve('by server')),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, closed };
}

/** Rejects if `p` has not settled within `ms` of real time: a guard that only fails the test. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} still open`)), ms);
  });
  return Promise.race([p, guard]).finally(() => clearTimeout(timer));
}

describe('before the upgrade', () => {
  it('closes idle sockets and half-sent requests once handshakeTimeout has passed', async () => {
    const a = await start('a', new TestClock(), { handshakeTimeout: 200 });
    const sockets = [];
    for (let i = 0; i < 4; i++) sockets.push(await rawSocket(a.address));
    for (let i = 0; i < 4; i++) {
      const s = await rawSocket(a.address);
      // Half the headers of an upgrade, never the blank line that ends them.
      s.socket.write('GET /warden/v3 HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n');
      sockets.push(s);
    }
    const s = await rawSocket(a.address);
    s.socket.write('GET /warden/v3/chal'); // not even a full request line
    sockets.push(s);
    const verdicts = await within(
      Promise.all(sockets.map((x) => x.closed)),
      15_000,
      'a socket before its handshake',
    );
    expect(verdicts).toEqual(sockets.map(() => 'by server'));
    // The node still accepts an honest peer.
    const b = await start('b', new TestClock());
    expect(await b.transport.connect(a.address)).toBe('a');
  });

  it('closes at once the sockets beyond maxPendingHandshakes, and serves again once they go', async () => {
    const a = await start('a', new TestClock(), { maxPendingHandshakes: 5 });
    const sockets = [];
    for (let i = 0; i < 8; i++) sockets.push(await rawSocket(a.address));
    const closedCount = { n: 0 };
    for (const s of sockets) void s.closed.then(() => closedCount.n++);
    // Three of the eight are over the cap: the server closes them on arrival.
    await within(
      Promise.all(sockets.slice(5).map((x) => x.closed)),
      15_000,
      'a socket over the cap',
    );
    expect(closedCount.n).toBe(3);
    for (const s of sockets.slice(0, 5)) s.socket.destroy();
    await Promise.all(sockets.map((x) => x.closed));
    const b = await start('b', new TestClock());
    expect(await b.transport.connect(a.address)).toBe('a');
  });
});
