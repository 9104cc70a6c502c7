// A cluster of nodes joined by @warden/transport-ws over real loopback sockets, in one process.
import { type Clock, createNode, type Envelope, type Node } from '@warden/core';
import {
  createClusterKey,
  createWsTransport,
  issueNodeCredential,
  type WsTransport,
  type WsTransportOptions,
} from '@warden/transport-ws';
import type { Cluster } from './cluster.js';
import { recordInbound } from './recording-transport.js';

export const CLUSTER_SECRET = 'cross-node-suite-secret-0123456789abcdef';

interface Member {
  readonly node: Node;
  readonly transport: WsTransport;
  readonly address: string;
}

/**
 * Resolves once `done()` holds, re-checked on every node.up and node.down event of `nodes`: the
 * mesh changes only through those events, so the wait ends on the event that completes it, never
 * on a poll. A generous timer fails it if the event never comes (a guard, not a measurement).
 */
export function untilNodeEvent(
  nodes: readonly Node[],
  done: () => boolean,
  what: string,
  ms = 10_000,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const unsubscribe: Array<() => void> = [];
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      for (const off of unsubscribe.splice(0)) off();
      if (error === undefined) resolve();
      else reject(error);
    };
    const timer = setTimeout(() => finish(new Error(`ws cluster: no ${what} within ${ms} ms`)), ms);
    for (const node of nodes) {
      unsubscribe.push(
        node.inspect((e) => {
          if ((e.type === 'node.up' || e.type === 'node.down') && done()) finish();
        }),
      );
    }
    if (done()) finish();
  });
}

/**
 * Starts one node per name on `clock`, each listening on 127.0.0.1 and a free port; every node
 * dials the first one and the membership gossip completes the mesh. A partition blocks the pair
 * on both sides (each drops the connection at once, so both see node down before it returns);
 * heal unblocks and waits until the pair is connected again. Each node's inbound envelopes are
 * recorded (`received`).
 */
export async function makeWsCluster(
  names: string[],
  clock: Clock,
  options: Partial<WsTransportOptions> = {},
): Promise<Cluster> {
  const live = new Map<string, Member>();
  const all: Member[] = [];
  const received = new Map<string, Envelope[]>();
  const cuts: [string, string][] = [];
  // Each node proves its name with its own credential under this cluster's key.
  const clusterKey = createClusterKey();
  const identity = (name: string) => {
    const credential = issueNodeCredential(clusterKey.privateKey, name, {
      expiresAt: Date.now() + 24 * 60 * 60 * 1000,
    });
    const { certificate, privateKey } = credential;
    return { clusterKey: clusterKey.publicKey, certificate, privateKey };
  };

  const meshed = (): boolean => {
    for (const m of live.values()) {
      if (m.node.nodes().length !== live.size - 1) return false;
    }
    return true;
  };

  const start = async (name: string): Promise<Node> => {
    const transport = createWsTransport({
      secret: CLUSTER_SECRET,
      identity: identity(name),
      ...options,
    });
    const log: Envelope[] = [];
    received.set(name, log);
    const node = createNode({ name, clock, transport: recordInbound(transport, log) });
    const bound = await transport.listen({ host: '127.0.0.1', port: 0 });
    const member = { node, transport, address: `${bound.host}:${bound.port}` };
    const seed = [...live.values()].find((m) => !m.node.stopped);
    live.set(name, member);
    all.push(member);
    if (seed !== undefined) await transport.connect(seed.address);
    return node;
  };

  const nodes: Node[] = [];
  for (const name of names) nodes.push(await start(name));
  const liveNodes = (): Node[] => [...live.values()].map((m) => m.node);
  await untilNodeEvent(liveNodes(), meshed, 'a full mesh');

  const member = (name: string): Member => {
    const m = live.get(name);
    if (m === undefined) throw new Error(`no node ${name}`);
    return m;
  };

  return {
    nodes,
    partition: (a, b) => {
      member(a).transport.block(b);
      member(b).transport.block(a);
      cuts.push([a, b]);
    },
    heal: async () => {
      const healing = cuts.splice(0);
      for (const [a, b] of healing) {
        member(a).transport.unblock(b);
        member(b).transport.unblock(a);
      }
      await untilNodeEvent(
        liveNodes(),
        () =>
          healing.every(
            ([a, b]) => member(a).node.nodes().includes(b) && member(b).node.nodes().includes(a),
          ),
        'the healed pairs to reconnect',
      );
    },
    startNode: async (name) => {
      for (const [key, m] of live) if (m.node.stopped) live.delete(key);
      const node = await start(name);
      await untilNodeEvent(liveNodes(), meshed, `${name} to join the mesh`);
      return node;
    },
    received: (name) => received.get(name) ?? [],
    close: async () => {
      for (const m of all) {
        await m.node.stop();
        await m.transport.close();
      }
    },
  };
}
