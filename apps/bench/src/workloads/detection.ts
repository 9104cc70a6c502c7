import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createNode, type NodeEvent } from '@warden/core';
import { createClusterKey, createWsTransport, issueNodeCredential } from '@warden/transport-ws';
import { BenchCheckError } from '../check.js';
import { type Case, deferred, type Sample, type Workload } from '../workload.js';
import type { PeerOptions, PeerReady } from '../ws-peer.js';

/**
 * How long a node takes to declare a peer process down over `@warden/transport-ws`, from the
 * signal to its `node.down` event. The cluster tests check what happens and in which order; this
 * is where the time it takes is a figure to watch.
 *
 * - `sigkill`: the peer is killed; the operating system closes its sockets, so detection is the
 *   close reaching this node (expected: a few milliseconds, no heartbeat involved).
 * - `sigstop`: the peer is paused; its sockets stay open and only the heartbeat can tell. This
 *   node sends a heartbeat every `HEARTBEAT_INTERVAL` ms and declares the peer down after
 *   `HEARTBEAT_TIMEOUT` ms of silence, so the figure belongs in
 *   [HEARTBEAT_TIMEOUT, HEARTBEAT_TIMEOUT + HEARTBEAT_INTERVAL] plus scheduling delay.
 *
 * Each run starts a fresh peer (`dist/ws-peer.js`, node B of the distribution workload; not
 * timed), connects, sends the signal and waits (bounded) for the event.
 */
export const detection: Workload = {
  name: 'detection',
  title: 'Failure detection: a peer process killed or paused, to node.down over ws',
  cases(): Case[] {
    return [
      {
        id: 'detection/sigkill',
        params: 'peer process SIGKILLed; its sockets close',
        metrics: [{ key: 'ms', unit: 'ms', label: 'detection' }],
        runs: 5,
        run: { warden: () => detect('SIGKILL') },
      },
      {
        id: 'detection/sigstop',
        params: `peer process SIGSTOPped; heartbeat every ${HEARTBEAT_INTERVAL} ms, down after ${HEARTBEAT_TIMEOUT} ms of silence`,
        metrics: [{ key: 'ms', unit: 'ms', label: 'detection' }],
        runs: 5,
        run: { warden: () => detect('SIGSTOP') },
      },
    ];
  },
};

const HEARTBEAT_INTERVAL = 200;
const HEARTBEAT_TIMEOUT = 1000;
const SECRET = 'bench-detection-secret-0123456789abcdef';
/** The run's cluster key: the detector and each peer prove their names with credentials from it. */
const CLUSTER_KEY = createClusterKey();

function identityOf(name: string): PeerOptions['identity'] {
  const { certificate, privateKey } = issueNodeCredential(CLUSTER_KEY.privateKey, name, {
    expiresAt: Date.now() + 60 * 60 * 1000,
  });
  return { clusterKey: CLUSTER_KEY.publicKey, certificate, privateKey };
}
const ENTRY = fileURLToPath(new URL('../../dist/ws-peer.js', import.meta.url));
/** Bound on each wait: the peer starting, the connection, the detection. */
const WAIT_MS = 15_000;

async function detect(signal: 'SIGKILL' | 'SIGSTOP'): Promise<Sample> {
  const peer = await startPeer();
  const transport = createWsTransport({
    secret: SECRET,
    identity: identityOf('detector'),
    heartbeatInterval: HEARTBEAT_INTERVAL,
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
  });
  const node = createNode({ name: 'detector', transport });
  try {
    const up = deferred();
    const down = deferred<number>();
    node.inspect((e: NodeEvent) => {
      if (e.type === 'node.up') up.resolve();
      else if (e.type === 'node.down') down.resolve(performance.now());
    });
    await transport.connect(peer.ready.address, { timeout: WAIT_MS });
    await bounded(up.promise, 'the peer to connect');
    const sentAt = performance.now();
    peer.child.kill(signal);
    const downAt = await bounded(down.promise, `node.down after ${signal}`);
    return { ms: downAt - sentAt };
  } finally {
    await peer.end();
    await node.stop();
    await transport.close();
  }
}

interface Peer {
  readonly child: ChildProcess;
  readonly ready: PeerReady;
  /** Resumes (if paused) and kills the process, and waits until it is gone. */
  end(): Promise<void>;
}

async function startPeer(): Promise<Peer> {
  if (!existsSync(ENTRY)) {
    throw new Error(`${ENTRY} is missing: build apps/bench first (npx tsc -b)`);
  }
  const options: PeerOptions = {
    secret: SECRET,
    identity: identityOf('bench-b'),
    highWaterMark: 16 * 1024 * 1024,
    hardLimit: 32 * 1024 * 1024,
  };
  const child = spawn(process.execPath, [ENTRY, 'warden', JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const end = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
    await exited;
  };
  try {
    const ready = await bounded(
      Promise.race([
        new Promise<PeerReady>((resolve) => child.once('message', (m) => resolve(m as PeerReady))),
        exited.then(() => {
          throw new BenchCheckError('the detection peer exited before it was ready');
        }),
      ]),
      'the detection peer to listen',
    );
    return { child, ready, end };
  } catch (error) {
    await end();
    throw error;
  }
}

/** Rejects after WAIT_MS unless `promise` settles first. */
async function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new BenchCheckError(`no ${what} in ${WAIT_MS} ms`)),
          WAIT_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
