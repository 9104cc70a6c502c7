/**
 * Node A of the distribution workload as a warden node on `@warden/transport-ws`, over plain `ws`
 * or, given a certificate, over `wss`: node B (the peer process) then listens with it, and A
 * dials with it as the only CA, so every byte between them is encrypted by both.
 */
import { createNode, defineActor, type Node, Pid } from '@warden/core';
import { createWsTransport, type WsTransport } from '@warden/transport-ws';
import { expectEqual } from '../check.js';
import { pinSelf } from '../cpu-affinity.js';
import { PeerProcess } from '../peer-process.js';
import type { BenchTls } from '../self-signed-tls.js';
import { percentile } from '../stats.js';
import { type Deferred, deferred, type Sample } from '../workload.js';
import type { PeerOptions } from '../ws-peer.js';
import {
  bounded,
  checkDone,
  cpuMeter,
  identityOf,
  latencies,
  PASS_MS,
  peerOptions,
  placement,
  pump,
  WARM_CALLS,
  WARM_MESSAGES,
} from './distribution-pass.js';

/** Untimed connections before the timed ones, at most. */
const WARM_CONNECTS = 10;
/** Bound on one connection (its two HTTP exchanges and their TLS handshakes). */
const CONNECT_MS = 10_000;

/** Node A: a node on the ws transport, connected to B, with an inbox for B's reports. */
interface WardenSide {
  readonly peer: PeerProcess;
  readonly node: Node;
  readonly transport: WsTransport;
  readonly inbox: Pid;
  /** The next message the inbox gets. */
  next(): Promise<unknown>;
}

/** Starts node B as a warden node with `options` (pinned, see `placement`), runs `work`, ends B. */
async function withPeer<T>(options: PeerOptions, work: (peer: PeerProcess) => Promise<T>) {
  const cpus = placement();
  const restore = cpus.a === undefined ? () => {} : pinSelf(cpus.a);
  try {
    const peer = await PeerProcess.start('warden', options, cpus.b);
    try {
      return await work(peer);
    } finally {
      await peer.stop();
    }
  } finally {
    restore();
  }
}

async function withWarden<T>(
  batchBytes: number | undefined,
  tls: BenchTls | undefined,
  work: (side: WardenSide, counter: Pid, echo: Pid) => Promise<T>,
): Promise<T> {
  const options = peerOptions(batchBytes, tls);
  return withPeer(options, async (peer) => {
    const transport = createWsTransport({ ...options, identity: identityOf('bench-a') });
    const node = createNode({ name: 'bench-a', transport });
    try {
      await transport.connect(peer.ready.address, { timeout: CONNECT_MS });
      let waiting: Deferred<unknown> | undefined;
      const inbox = node.spawn(
        defineActor<undefined, undefined>({
          init: () => undefined,
          handleInfo: (message, state) => {
            waiting?.resolve(message);
            return state;
          },
        }),
      );
      const next = (): Promise<unknown> => {
        waiting = deferred();
        return waiting.promise;
      };
      const counter = Pid.from(
        peer.ready.counter as { node: string; incarnation: string; id: number },
      );
      const echo = Pid.from(peer.ready.echo as { node: string; incarnation: string; id: number });
      return await work({ peer, node, transport, inbox, next }, counter, echo);
    } finally {
      await node.stop();
      await bounded(transport.close(), 5000, 'closing the ws transport');
    }
  });
}

async function wardenPass(side: WardenSide, counter: Pid, n: number): Promise<number> {
  const { node } = side;
  const done = side.next();
  const start = performance.now();
  node.send(counter, { start: n, reply: side.inbox });
  await pump(n, (seq) => node.send(counter, { seq }));
  const report = await bounded(done, PASS_MS, 'warden counter on B');
  const ms = performance.now() - start;
  checkDone(report, n);
  return ms;
}

export function wardenThroughput(
  n: number,
  batchBytes: number | undefined,
  tls?: BenchTls,
): Promise<Sample> {
  return withWarden(batchBytes, tls, async (side, counter) => {
    await wardenPass(side, counter, Math.min(n, WARM_MESSAGES));
    const cpu = await cpuMeter(side.peer);
    const ms = await wardenPass(side, counter, n);
    const [cpuA, cpuB] = await cpu.stop(n / 1000);
    expectEqual('sends refused by back-pressure', side.transport.stats().refused, 0);
    return { ms, cpuA, cpuB };
  });
}

export function wardenRoundTrip(calls: number, tls?: BenchTls): Promise<Sample> {
  return withWarden(undefined, tls, async ({ node, peer }, _counter, echo) => {
    const once = async (i: number): Promise<number> => {
      const start = performance.now();
      const answer = await node.call<{ ping: number }>(echo, { ping: i }, { timeout: PASS_MS });
      const micros = (performance.now() - start) * 1000;
      expectEqual('echoed request', answer.ping, i);
      return micros;
    };
    for (let i = 0; i < Math.min(calls, WARM_CALLS); i++) await once(i);
    return latencies(calls, once, peer);
  });
}

/**
 * `connects` joins of a fresh node A to one node B, one after the other, each under its own name
 * (so that B's per-identity handshake limit never applies; every name sorts before B's, so B
 * never redials one that has left). Timed: `transport.connect`, from the first byte to the
 * upgraded socket (the challenge, then the upgrade, two TCP connections and, with `tls`, two TLS
 * handshakes); setting A up and closing it are not. p50 and mean, and the CPU time each process
 * spent per join, in µs (B's includes answering the CPU query that brackets it, the same with
 * TLS and without).
 */
export function wardenConnects(connects: number, tls?: BenchTls): Promise<Sample> {
  const options = peerOptions(undefined, tls);
  return withPeer(options, async (peer) => {
    const once = async (i: number) => {
      const name = `bench-a${i}`;
      const transport = createWsTransport({ ...options, identity: identityOf(name) });
      const node = createNode({ name, transport });
      try {
        const a0 = process.cpuUsage();
        const b0 = await peer.cpuMicros();
        const start = performance.now();
        const joined = await transport.connect(peer.ready.address, { timeout: CONNECT_MS });
        const micros = (performance.now() - start) * 1000;
        const a = process.cpuUsage(a0);
        const b = (await peer.cpuMicros()) - b0;
        expectEqual('node joined', joined, 'bench-b');
        return { micros, cpuA: a.user + a.system, cpuB: b };
      } finally {
        await node.stop();
        await bounded(transport.close(), 5000, 'closing the ws transport');
      }
    };
    const warm = Math.min(connects, WARM_CONNECTS);
    for (let i = 0; i < warm; i++) await once(i);
    const joins: { micros: number; cpuA: number; cpuB: number }[] = [];
    for (let i = warm; i < warm + connects; i++) joins.push(await once(i));
    const mean = (key: 'micros' | 'cpuA' | 'cpuB') =>
      joins.reduce((sum, j) => sum + j[key], 0) / joins.length;
    const micros = joins.map((j) => j.micros).sort((x, y) => x - y);
    return {
      p50: percentile(micros, 50),
      mean: mean('micros'),
      cpuA: mean('cpuA'),
      cpuB: mean('cpuB'),
    };
  });
}
