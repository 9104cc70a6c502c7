import { connect, type Socket } from 'node:net';
import { createNode, defineActor, type Node, Pid } from '@warden/core';
import {
  createClusterKey,
  createWsTransport,
  issueNodeCredential,
  type WsTransport,
} from '@warden/transport-ws';
import { BenchCheckError, expectEqual } from '../check.js';
import {
  RAW_KIND,
  type RawEnvelope,
  RawFrameReader,
  RawFrameWriter,
  type RawPid,
} from '../contenders/raw-tcp.js';
import { canPin, pinSelf } from '../cpu-affinity.js';
import { PeerProcess } from '../peer-process.js';
import { percentile } from '../stats.js';
import {
  type Case,
  type Deferred,
  deferred,
  type Metric,
  nextTurn,
  type Sample,
  scaled,
  TIME_MS,
  type Workload,
} from '../workload.js';
import type { CounterDone, PeerOptions } from '../ws-peer.js';

/**
 * Two node processes on loopback: this one (node A) and a child running `dist/ws-peer.js`
 * (node B). warden: `@warden/transport-ws` between two warden nodes. raw: a `node:net` socket with
 * length-prefixed frames of the same MessagePack envelopes (`contenders/raw-tcp.ts`).
 *
 * - `one-per-frame`: A sends N small messages (`{ seq }`) to a counter on B, each in its own
 *   frame (warden: `batchBytes: 1`, so every send flushes its own WebSocket frame; raw: one
 *   length-prefixed frame per message). B checks their order and reports when all arrived.
 * - `batched`: the same with warden's default batching (a frame per 16 KiB or per event-loop
 *   turn) against raw frames of 100 messages.
 * - `batched-inline-pids` (no target): the same, with raw writing the pid in full in every
 *   envelope, as warden's frames did before decision 0014.
 *
 * Raw frames carry warden's table of destinations (the envelopes name the counter by index),
 * except in `batched-inline-pids`: the same encoding, so that the ratio measures warden's own
 * machinery.
 * - `round-trip`: M calls, one at a time, to an echo server on B (warden: `node.call`, default
 *   options; raw: a call envelope out, a reply envelope back). p50 and mean per round trip.
 *
 * Besides time, each case reports the CPU time (user + system, `process.cpuUsage`) that each
 * process spent per message or per call during the timed pass: what the transport costs, apart
 * from how the two processes happened to share the cores.
 *
 * The two processes are pinned to two CPUs, one each, where Linux's `taskset` is available (see
 * `placement`): two machines, as far as one host allows, and the same placement in every run.
 *
 * Both senders produce 1,000 messages per event-loop turn, then yield, so that sockets drain
 * while they send. Each run starts a fresh child process (not timed) and warms both sides up
 * with an untimed pass before the timed one. warden's `highWaterMark` is raised to 256 MiB so
 * that no send is refused under the flood (raw buffers without bound too).
 */
export const distribution: Workload = {
  name: 'distribution',
  title: 'Distribution: two node processes on loopback, ws transport against raw TCP',
  cases(scale: number): Case[] {
    const single = scaled(100_000, scale, 200);
    const batched = scaled(1_000_000, scale, 200);
    const calls = scaled(5_000, scale, 20);
    return [
      {
        id: 'distribution/one-per-frame',
        params: `${single} messages A -> B, one per frame`,
        metrics: THROUGHPUT_METRICS,
        ops: single,
        runs: 5,
        run: {
          raw: () => rawThroughput(single, 1, true),
          warden: () => wardenThroughput(single, 1),
        },
      },
      {
        // Raw sends the frames warden sends, the table of destinations included (decision
        // 0014): the same encoding, so only warden's own machinery separates them.
        id: 'distribution/batched',
        params: `${batched} messages A -> B; warden default batching, raw 100 per frame, both with a table of destinations`,
        metrics: THROUGHPUT_METRICS,
        ops: batched,
        runs: 5,
        run: {
          raw: () => rawThroughput(batched, 100, true),
          warden: () => wardenThroughput(batched, undefined),
        },
      },
      {
        // Not a target: raw writes the pid in full in every envelope, as warden's frames did
        // before decision 0014 and as a plain MessagePack sender would.
        id: 'distribution/batched-inline-pids',
        params: `${batched} messages A -> B; raw 100 per frame, each envelope with its pid in full`,
        metrics: THROUGHPUT_METRICS,
        ops: batched,
        runs: 5,
        run: {
          raw: () => rawThroughput(batched, 100, false),
          warden: () => wardenThroughput(batched, undefined),
        },
      },
      {
        id: 'distribution/round-trip',
        params: `${calls} calls A -> B -> A, one at a time`,
        metrics: [
          { key: 'p50', unit: 'µs', label: 'p50' },
          { key: 'mean', unit: 'µs', label: 'mean' },
          { key: 'cpuA', unit: 'µs', label: 'CPU on A' },
          { key: 'cpuB', unit: 'µs', label: 'CPU on B' },
        ],
        runs: 5,
        run: {
          raw: () => rawRoundTrip(calls),
          warden: () => wardenRoundTrip(calls),
        },
      },
    ];
  },
};

/** Time, then the CPU time (user + system) each process spent per message during the pass. */
const THROUGHPUT_METRICS: readonly Metric[] = [
  ...TIME_MS,
  { key: 'cpuA', unit: 'ns', label: 'CPU on A' },
  { key: 'cpuB', unit: 'ns', label: 'CPU on B' },
];

const SECRET = 'bench-distribution-secret-0123456789abcdef';
/** Messages sent per event-loop turn. */
const PER_TURN = 1000;
/**
 * Untimed messages (or calls) before the timed pass, at most. B is a fresh process every run, and
 * its per-frame code (a frame holds about a thousand messages) runs only once per frame: with
 * 20,000 messages it was still tiering up in the timed pass, on both sides (raw's B took 7% less
 * CPU per message, warden's 6% less, after 200,000).
 */
const WARM_MESSAGES = 200_000;
const WARM_CALLS = 1_000;
/** Bound on one pass: B must have reported by then. */
const PASS_MS = 60_000;

/**
 * Where the two processes run: `split` pins A (this process's main thread, for the run only)
 * and B to two different CPUs, `same` both to CPU 0, `free` leaves them to the scheduler.
 * `BENCH_DISTRIBUTION_CPUS` picks one; the default is `split` where pinning is possible.
 */
function placement(): { readonly a: number | undefined; readonly b: number | undefined } {
  const mode = process.env.BENCH_DISTRIBUTION_CPUS ?? 'split';
  if (mode === 'free' || !canPin()) return { a: undefined, b: undefined };
  return mode === 'same' ? { a: 0, b: 0 } : { a: 0, b: 1 };
}

/**
 * Each node proves its name with its own Ed25519 key under a cluster key made for the run, as
 * every ws node must: identities cost in the handshake only, never per frame.
 */
const CLUSTER_KEY = createClusterKey();

function identityOf(name: string): PeerOptions['identity'] {
  const { certificate, privateKey } = issueNodeCredential(CLUSTER_KEY.privateKey, name, {
    expiresAt: Date.now() + 60 * 60 * 1000,
  });
  return { clusterKey: CLUSTER_KEY.publicKey, certificate, privateKey };
}

function peerOptions(batchBytes: number | undefined): PeerOptions {
  return {
    secret: SECRET,
    identity: identityOf('bench-b'),
    ...(batchBytes === undefined ? {} : { batchBytes }),
    highWaterMark: 256 * 1024 * 1024,
    hardLimit: 512 * 1024 * 1024,
  };
}

/** Rejects after `ms` unless `promise` settles first. */
async function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new BenchCheckError(`${what}: no answer in ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sends `{ seq }` for 0 <= seq < n through `send`, yielding to the event loop every 1,000. */
async function pump(n: number, send: (seq: number) => void): Promise<void> {
  for (let seq = 0; seq < n; ) {
    const end = Math.min(n, seq + PER_TURN);
    for (; seq < end; seq++) send(seq);
    if (seq < n) await nextTurn();
  }
}

function checkDone(report: unknown, n: number): void {
  const done = report as CounterDone;
  expectEqual('messages counted on B', done.done, n);
  expectEqual('messages out of order on B', done.outOfOrder, 0);
}

/**
 * Starts counting the CPU time (user + system) of this process (A) and the peer (B); `stop`
 * returns each one's µs since, divided by `per`.
 */
async function cpuMeter(
  peer: PeerProcess,
): Promise<{ stop(per: number): Promise<[number, number]> }> {
  const a0 = process.cpuUsage();
  const b0 = await peer.cpuMicros();
  return {
    async stop(per: number): Promise<[number, number]> {
      const a = process.cpuUsage(a0);
      const b = (await peer.cpuMicros()) - b0;
      return [(a.user + a.system) / per, b / per];
    },
  };
}

// ---- warden ------------------------------------------------------------------------------

/** Node A: a node on the ws transport, connected to B, with an inbox for B's reports. */
interface WardenSide {
  readonly peer: PeerProcess;
  readonly node: Node;
  readonly transport: WsTransport;
  readonly inbox: Pid;
  /** The next message the inbox gets. */
  next(): Promise<unknown>;
}

async function withWarden<T>(
  batchBytes: number | undefined,
  work: (side: WardenSide, counter: Pid, echo: Pid) => Promise<T>,
): Promise<T> {
  const options = peerOptions(batchBytes);
  const cpus = placement();
  const restore = cpus.a === undefined ? () => {} : pinSelf(cpus.a);
  let peer: PeerProcess;
  try {
    peer = await PeerProcess.start('warden', options, cpus.b);
  } catch (error) {
    restore();
    throw error;
  }
  const transport = createWsTransport({ ...options, identity: identityOf('bench-a') });
  const node = createNode({ name: 'bench-a', transport });
  try {
    await transport.connect(peer.ready.address, { timeout: 10_000 });
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
    try {
      await node.stop();
      await peer.stop();
      await bounded(transport.close(), 5000, 'closing the ws transport');
    } finally {
      restore();
    }
  }
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

function wardenThroughput(n: number, batchBytes: number | undefined): Promise<Sample> {
  return withWarden(batchBytes, async (side, counter) => {
    await wardenPass(side, counter, Math.min(n, WARM_MESSAGES));
    const cpu = await cpuMeter(side.peer);
    const ms = await wardenPass(side, counter, n);
    const [cpuA, cpuB] = await cpu.stop(n / 1000);
    expectEqual('sends refused by back-pressure', side.transport.stats().refused, 0);
    return { ms, cpuA, cpuB };
  });
}

function wardenRoundTrip(calls: number): Promise<Sample> {
  return withWarden(undefined, async ({ node, peer }, _counter, echo) => {
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

// ---- raw ---------------------------------------------------------------------------------

/** This side's pid on the raw wire (where B sends reports and replies). */
const RAW_SELF: RawPid = ['bench-a', 'p8d2w7c4z0', 1];

interface RawSide {
  readonly peer: PeerProcess;
  readonly writer: RawFrameWriter;
  /** The next envelope B sends. */
  next(): Promise<RawEnvelope>;
}

async function withRaw<T>(
  work: (side: RawSide, counter: RawPid, echo: RawPid) => Promise<T>,
): Promise<T> {
  const cpus = placement();
  const restore = cpus.a === undefined ? () => {} : pinSelf(cpus.a);
  let peer: PeerProcess;
  try {
    peer = await PeerProcess.start('raw', peerOptions(undefined), cpus.b);
  } catch (error) {
    restore();
    throw error;
  }
  let socket: Socket | undefined;
  try {
    const [host, port] = peer.ready.address.split(':') as [string, string];
    const connected = connect({ host, port: Number(port), noDelay: true });
    socket = connected;
    await bounded(
      new Promise<void>((resolve, reject) => {
        connected.once('connect', resolve);
        connected.once('error', reject);
      }),
      10_000,
      'raw connect',
    );
    let waiting: Deferred<RawEnvelope> | undefined;
    connected.on('data', new RawFrameReader((envelope) => waiting?.resolve(envelope)).push);
    const next = (): Promise<RawEnvelope> => {
      waiting = deferred();
      return waiting.promise;
    };
    const writer = new RawFrameWriter(connected);
    return await work(
      { peer, writer, next },
      peer.ready.counter as RawPid,
      peer.ready.echo as RawPid,
    );
  } finally {
    socket?.destroy();
    try {
      await peer.stop();
    } finally {
      restore();
    }
  }
}

/**
 * Envelopes `perFrame` at a time: a frame leaves when full (and the last one at the end). With
 * `destination`, every frame carries it as its table of destinations and the envelopes name it by
 * index 0, as warden's frames do.
 */
class RawBatcher {
  readonly #writer: RawFrameWriter;
  readonly #perFrame: number;
  readonly #destinations: readonly RawPid[] | undefined;
  #pending: RawEnvelope[] = [];

  constructor(writer: RawFrameWriter, perFrame: number, destination: RawPid | undefined) {
    this.#writer = writer;
    this.#perFrame = perFrame;
    this.#destinations = destination === undefined ? undefined : [destination];
  }

  send(envelope: RawEnvelope): void {
    this.#pending.push(envelope);
    if (this.#pending.length >= this.#perFrame) this.flush();
  }

  flush(): void {
    if (this.#pending.length === 0) return;
    this.#writer.write(this.#pending, this.#destinations);
    this.#pending = [];
  }
}

async function rawPass(
  side: RawSide,
  counter: RawPid,
  n: number,
  perFrame: number,
  table: boolean,
): Promise<number> {
  const batcher = new RawBatcher(side.writer, perFrame, table ? counter : undefined);
  const to = table ? 0 : counter;
  const done = side.next();
  const start = performance.now();
  side.writer.write([[RAW_KIND.send, counter, { start: n, reply: RAW_SELF }]]);
  await pump(n, (seq) => batcher.send([RAW_KIND.send, to, { seq }]));
  batcher.flush();
  const report = await bounded(done, PASS_MS, 'raw counter on B');
  const ms = performance.now() - start;
  checkDone(report[2], n);
  return ms;
}

function rawThroughput(n: number, perFrame: number, table: boolean): Promise<Sample> {
  return withRaw(async (side, counter) => {
    await rawPass(side, counter, Math.min(n, WARM_MESSAGES), perFrame, table);
    const cpu = await cpuMeter(side.peer);
    const ms = await rawPass(side, counter, n, perFrame, table);
    const [cpuA, cpuB] = await cpu.stop(n / 1000);
    return { ms, cpuA, cpuB };
  });
}

function rawRoundTrip(calls: number): Promise<Sample> {
  return withRaw(async (side, _counter, echo) => {
    const once = async (i: number): Promise<number> => {
      const ref = `r${i}`;
      const start = performance.now();
      const answer = side.next();
      side.writer.write([[RAW_KIND.call, echo, RAW_SELF, ref, { ping: i }]]);
      const envelope = await bounded(answer, PASS_MS, 'raw echo on B');
      const micros = (performance.now() - start) * 1000;
      expectEqual('reply ref', envelope[2], ref);
      expectEqual('echoed request', (envelope[3] as { ping: number }).ping, i);
      return micros;
    };
    for (let i = 0; i < Math.min(calls, WARM_CALLS); i++) await once(i);
    return latencies(calls, once, side.peer);
  });
}

/** Runs `calls` round trips one after the other: p50 and mean, and CPU per call, in µs. */
async function latencies(
  calls: number,
  once: (i: number) => Promise<number>,
  peer: PeerProcess,
): Promise<Sample> {
  const micros: number[] = [];
  const cpu = await cpuMeter(peer);
  for (let i = 0; i < calls; i++) micros.push(await once(i));
  const [cpuA, cpuB] = await cpu.stop(calls);
  const mean = micros.reduce((sum, x) => sum + x, 0) / micros.length;
  micros.sort((a, b) => a - b);
  return { p50: percentile(micros, 50), mean, cpuA, cpuB };
}
