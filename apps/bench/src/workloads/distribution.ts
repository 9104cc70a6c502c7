import { opensslAvailable, selfSignedTls } from '../self-signed-tls.js';
import { type Case, type Metric, scaled, TIME_MS, type Workload } from '../workload.js';
import { rawRoundTrip, rawThroughput } from './distribution-raw.js';
import { wardenConnects, wardenRoundTrip, wardenThroughput } from './distribution-warden.js';

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
 *
 * `distribution/tls/*`: what TLS costs the transport. Both columns are warden, the same two
 * nodes, the raw one over plain `ws` and the warden one over `wss` with a self-signed
 * certificate made with the openssl CLI when the first of them runs (`self-signed-tls.ts`; B
 * listens with it, A trusts it as the only CA), so "vs raw" is TLS against plain in the same
 * run: `one-per-frame`, `batched` and `round-trip` as above, and `connect`, the time and CPU
 * of a join (challenge and upgrade, each a TLS handshake under `wss`). Without openssl these
 * cases are left out, and the bench says why.
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
        metrics: LATENCY_METRICS,
        runs: 5,
        run: {
          raw: () => rawRoundTrip(calls),
          warden: () => wardenRoundTrip(calls),
        },
      },
      ...tlsCases(single, batched, calls, scaled(50, scale, 5)),
    ];
  },
};

/** p50 and mean, then the CPU time each process spent, per call (or per join). */
const LATENCY_METRICS: readonly Metric[] = [
  { key: 'p50', unit: 'µs', label: 'p50' },
  { key: 'mean', unit: 'µs', label: 'mean' },
  { key: 'cpuA', unit: 'µs', label: 'CPU on A' },
  { key: 'cpuB', unit: 'µs', label: 'CPU on B' },
];

/** The openssl check ran and, if it failed, the bench said so: once, not at every listing. */
let skipSaid = false;

/**
 * The TLS cases: warden over `wss` (the warden column) against the same nodes over plain `ws`
 * (the raw column). None without the openssl CLI, with the reason printed once.
 */
function tlsCases(single: number, batched: number, calls: number, connects: number): Case[] {
  const openssl = opensslAvailable();
  if (!openssl.ok) {
    if (!skipSaid) console.error(`distribution/tls/*: skipped: ${openssl.reason}`);
    skipSaid = true;
    return [];
  }
  const vs = 'warden over wss (TLS) vs the same over plain ws (the raw column)';
  return [
    {
      id: 'distribution/tls/one-per-frame',
      params: `${single} messages A -> B, one per frame; ${vs}`,
      metrics: THROUGHPUT_METRICS,
      ops: single,
      runs: 5,
      run: {
        raw: () => wardenThroughput(single, 1),
        warden: () => wardenThroughput(single, 1, selfSignedTls()),
      },
    },
    {
      id: 'distribution/tls/batched',
      params: `${batched} messages A -> B, default batching; ${vs}`,
      metrics: THROUGHPUT_METRICS,
      ops: batched,
      runs: 5,
      run: {
        raw: () => wardenThroughput(batched, undefined),
        warden: () => wardenThroughput(batched, undefined, selfSignedTls()),
      },
    },
    {
      id: 'distribution/tls/round-trip',
      params: `${calls} calls A -> B -> A, one at a time; ${vs}`,
      metrics: LATENCY_METRICS,
      runs: 5,
      run: {
        raw: () => wardenRoundTrip(calls),
        warden: () => wardenRoundTrip(calls, selfSignedTls()),
      },
    },
    {
      id: 'distribution/tls/connect',
      params: `${connects} joins of a fresh node A to B, one at a time; ${vs}`,
      metrics: LATENCY_METRICS,
      runs: 5,
      run: {
        raw: () => wardenConnects(connects),
        warden: () => wardenConnects(connects, selfSignedTls()),
      },
    },
  ];
}

/** Time, then the CPU time (user + system) each process spent per message during the pass. */
const THROUGHPUT_METRICS: readonly Metric[] = [
  ...TIME_MS,
  { key: 'cpuA', unit: 'ns', label: 'CPU on A' },
  { key: 'cpuB', unit: 'ns', label: 'CPU on B' },
];
