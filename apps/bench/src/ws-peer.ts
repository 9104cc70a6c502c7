/**
 * Node B of the distribution workload, in its own process: `node dist/ws-peer.js <mode> [options]`
 * with `mode` `warden` (a warden node on `@warden/transport-ws`) or `raw` (a `node:net` server
 * speaking `contenders/raw-tcp.ts`). It listens on 127.0.0.1, port 0 (warden: over `wss` when the
 * options carry `tls`), and reports over IPC, once:
 * `{ type: 'ready', address, counter, echo }` (for raw, `counter` and `echo` are the ids the
 * envelopes address). Both modes run the same two services:
 *
 * - the counter: `{ start: n, reply }` resets it; then every `{ seq }` must arrive in order
 *   (`seq` 0, 1, 2, ...); after `n` of them it sends `{ done, outOfOrder }` to `reply`;
 * - the echo server: answers every call with its request.
 *
 * It answers `{ type: 'cpu' }` with `{ type: 'cpu', usage: process.cpuUsage() }`. The process exits
 * when its parent goes away (the IPC channel closes), or after two minutes.
 */
import { createServer, type Socket } from 'node:net';
import { createNode, defineActor, type Pid, reply } from '@warden/core';
import { createWsTransport, formatAddress } from '@warden/transport-ws';
import {
  RAW_KIND,
  type RawEnvelope,
  RawFrameReader,
  RawFrameWriter,
  type RawPid,
} from './contenders/raw-tcp.js';

/** What the parent passes as the second argument (JSON). */
export interface PeerOptions {
  readonly secret: string;
  /** B's node credential under the run's cluster key (a warden node cannot start without one). */
  readonly identity: {
    readonly clusterKey: string;
    readonly certificate: string;
    readonly privateKey: string;
  };
  /**
   * warden: listen over `wss` with this certificate (PEM), and dial with it as the CA; without
   * it, plain `ws`.
   */
  readonly tls?: { readonly cert: string; readonly key: string; readonly ca: string };
  /** ws transport: flush a batch at this many bytes (1: every envelope is its own frame). */
  readonly batchBytes?: number;
  readonly highWaterMark: number;
  readonly hardLimit: number;
}

export interface PeerReady {
  readonly type: 'ready';
  readonly address: string;
  /** warden: the pids (`toJSON`); raw: `[node, incarnation, id]`. */
  readonly counter: unknown;
  readonly echo: unknown;
}

export interface CounterStart<R> {
  readonly start: number;
  readonly reply: R;
}

export interface CounterDone {
  readonly done: number;
  readonly outOfOrder: number;
}

/** The counter's state, the same for both modes. */
class Count<R> {
  n = 0;
  next = 0;
  outOfOrder = 0;
  reply: R | undefined = undefined;

  /** Handles one message; returns the report when the last one has arrived. */
  handle(message: unknown): CounterDone | undefined {
    const m = message as { seq?: number; start?: number; reply?: R };
    if (m.seq !== undefined) {
      if (m.seq !== this.next) this.outOfOrder++;
      this.next++;
      return this.next === this.n ? { done: this.next, outOfOrder: this.outOfOrder } : undefined;
    }
    this.n = m.start as number;
    this.next = 0;
    this.outOfOrder = 0;
    this.reply = m.reply;
    return undefined;
  }
}

async function warden(options: PeerOptions): Promise<PeerReady> {
  const transport = createWsTransport({
    secret: options.secret,
    identity: options.identity,
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    ...(options.batchBytes === undefined ? {} : { batchBytes: options.batchBytes }),
    highWaterMark: options.highWaterMark,
    hardLimit: options.hardLimit,
  });
  // The sender does not wait for the counter: it may be a whole run ahead of it.
  const node = createNode({ name: 'bench-b', transport, mailbox: { capacity: Infinity } });
  const counter = node.spawn(
    defineActor<Count<Pid>, undefined>({
      init: () => new Count<Pid>(),
      handleInfo: (message, count, ctx) => {
        const done = count.handle(message);
        if (done !== undefined) ctx.send(count.reply as Pid, done);
        return count;
      },
    }),
  );
  const echo = node.spawn(
    defineActor<undefined, undefined>({
      init: () => undefined,
      handleCall: (request, _from, state) => reply(request, state),
    }),
  );
  const address = await transport.listen({ host: '127.0.0.1', port: 0 });
  return {
    type: 'ready',
    address: formatAddress(address),
    counter: counter.toJSON(),
    echo: echo.toJSON(),
  };
}

/** Pids as warden's look: node name, a 10-character incarnation, a number. */
const RAW_COUNTER: RawPid = ['bench-b', 'k3v9x0q2m1', 1];
const RAW_ECHO: RawPid = ['bench-b', 'k3v9x0q2m1', 2];

async function raw(): Promise<PeerReady> {
  const server = createServer((socket: Socket) => {
    socket.setNoDelay(true);
    const writer = new RawFrameWriter(socket);
    const count = new Count<RawPid>();
    const reader = new RawFrameReader((envelope: RawEnvelope) => {
      const to = envelope[1] as RawPid;
      if (envelope[0] === RAW_KIND.send && to[2] === RAW_COUNTER[2]) {
        const done = count.handle(envelope[2]);
        if (done !== undefined) writer.write([[RAW_KIND.send, count.reply, done]]);
      } else if (envelope[0] === RAW_KIND.call && to[2] === RAW_ECHO[2]) {
        // [2, to, from, ref, request] -> [3, from, ref, request]
        writer.write([[RAW_KIND.reply, envelope[2], envelope[3], envelope[4]]]);
      }
    });
    socket.on('data', reader.push);
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const bound = server.address();
  if (bound === null || typeof bound === 'string') throw new Error('no TCP address');
  return {
    type: 'ready',
    address: `127.0.0.1:${bound.port}`,
    counter: RAW_COUNTER,
    echo: RAW_ECHO,
  };
}

async function main(): Promise<void> {
  const [mode, json] = process.argv.slice(2);
  if (process.send === undefined || (mode !== 'warden' && mode !== 'raw')) {
    console.error('usage: (from the bench, with an IPC channel) ws-peer.js warden|raw <options>');
    process.exit(2);
  }
  process.on('disconnect', () => process.exit(0));
  // The parent reads this process's CPU time around a timed pass.
  process.on('message', (m: { type?: string }) => {
    if (m.type === 'cpu') process.send?.({ type: 'cpu', usage: process.cpuUsage() });
  });
  setTimeout(() => process.exit(3), 120_000).unref();
  const options = JSON.parse(json ?? '{}') as PeerOptions;
  process.send(mode === 'warden' ? await warden(options) : await raw());
}

await main();
