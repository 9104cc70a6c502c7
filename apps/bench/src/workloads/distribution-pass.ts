/**
 * What the two sides of a distribution pass share, warden and raw alike: where the processes
 * run, node B's options, the pump, the bounds and the meters.
 */
import { createClusterKey, issueNodeCredential } from '@warden/transport-ws';
import { BenchCheckError, expectEqual } from '../check.js';
import { canPin } from '../cpu-affinity.js';
import type { PeerProcess } from '../peer-process.js';
import type { BenchTls } from '../self-signed-tls.js';
import { percentile } from '../stats.js';
import { nextTurn, type Sample } from '../workload.js';
import type { CounterDone, PeerOptions } from '../ws-peer.js';

const SECRET = 'bench-distribution-secret-0123456789abcdef';
/** Messages sent per event-loop turn. */
const PER_TURN = 1000;
/**
 * Untimed messages (or calls) before the timed pass, at most. B is a fresh process every run, and
 * its per-frame code (a frame holds about a thousand messages) runs only once per frame: with
 * 20,000 messages it was still tiering up in the timed pass, on both sides (raw's B took 7% less
 * CPU per message, warden's 6% less, after 200,000).
 */
export const WARM_MESSAGES = 200_000;
export const WARM_CALLS = 1_000;
/** Bound on one pass: B must have reported by then. */
export const PASS_MS = 60_000;

/**
 * Where the two processes run: `split` pins A (this process's main thread, for the run only)
 * and B to two different CPUs, `same` both to CPU 0, `free` leaves them to the scheduler.
 * `BENCH_DISTRIBUTION_CPUS` picks one; the default is `split` where pinning is possible.
 */
export function placement(): { readonly a: number | undefined; readonly b: number | undefined } {
  const mode = process.env.BENCH_DISTRIBUTION_CPUS ?? 'split';
  if (mode === 'free' || !canPin()) return { a: undefined, b: undefined };
  return mode === 'same' ? { a: 0, b: 0 } : { a: 0, b: 1 };
}

/**
 * Each node proves its name with its own Ed25519 key under a cluster key made for the run, as
 * every ws node must: identities cost in the handshake only, never per frame.
 */
const CLUSTER_KEY = createClusterKey();

export function identityOf(name: string): PeerOptions['identity'] {
  const { certificate, privateKey } = issueNodeCredential(CLUSTER_KEY.privateKey, name, {
    expiresAt: Date.now() + 60 * 60 * 1000,
  });
  return { clusterKey: CLUSTER_KEY.publicKey, certificate, privateKey };
}

/** Node B's options (and A's, but for A's own identity); `tls`: both over `wss`. */
export function peerOptions(batchBytes: number | undefined, tls?: BenchTls): PeerOptions {
  return {
    secret: SECRET,
    identity: identityOf('bench-b'),
    ...(tls === undefined ? {} : { tls }),
    ...(batchBytes === undefined ? {} : { batchBytes }),
    highWaterMark: 256 * 1024 * 1024,
    hardLimit: 512 * 1024 * 1024,
  };
}

/** Rejects after `ms` unless `promise` settles first. */
export async function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
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
export async function pump(n: number, send: (seq: number) => void): Promise<void> {
  for (let seq = 0; seq < n; ) {
    const end = Math.min(n, seq + PER_TURN);
    for (; seq < end; seq++) send(seq);
    if (seq < n) await nextTurn();
  }
}

export function checkDone(report: unknown, n: number): void {
  const done = report as CounterDone;
  expectEqual('messages counted on B', done.done, n);
  expectEqual('messages out of order on B', done.outOfOrder, 0);
}

/**
 * Starts counting the CPU time (user + system) of this process (A) and the peer (B); `stop`
 * returns each one's µs since, divided by `per`.
 */
export async function cpuMeter(
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

/** Runs `calls` round trips one after the other: p50 and mean, and CPU per call, in µs. */
export async function latencies(
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
