/**
 * Node A of the distribution workload as the raw baseline: a `node:net` socket to node B's raw
 * server, length-prefixed frames of MessagePack envelopes (`contenders/raw-tcp.ts`).
 */
import { connect, type Socket } from 'node:net';
import { expectEqual } from '../check.js';
import {
  RAW_KIND,
  type RawEnvelope,
  RawFrameReader,
  RawFrameWriter,
  type RawPid,
} from '../contenders/raw-tcp.js';
import { pinSelf } from '../cpu-affinity.js';
import { PeerProcess } from '../peer-process.js';
import { type Deferred, deferred, type Sample } from '../workload.js';
import {
  bounded,
  checkDone,
  cpuMeter,
  latencies,
  PASS_MS,
  peerOptions,
  placement,
  pump,
  WARM_CALLS,
  WARM_MESSAGES,
} from './distribution-pass.js';

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

export function rawThroughput(n: number, perFrame: number, table: boolean): Promise<Sample> {
  return withRaw(async (side, counter) => {
    await rawPass(side, counter, Math.min(n, WARM_MESSAGES), perFrame, table);
    const cpu = await cpuMeter(side.peer);
    const ms = await rawPass(side, counter, n, perFrame, table);
    const [cpuA, cpuB] = await cpu.stop(n / 1000);
    return { ms, cpuA, cpuB };
  });
}

export function rawRoundTrip(calls: number): Promise<Sample> {
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
