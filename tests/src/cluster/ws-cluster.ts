// A cluster of nodes joined by @warden/transport-ws over real loopback sockets, in one process.
import { type Clock, createNode, type Envelope, type Node } from '@warden/core';
import { createWsTransport, type WsTransport, type WsTransportOptions } from '@warden/transport-ws';
import type { Cluster } from './cluster.js';
import { recordInbound } from './recording-transport.js';

export const CLUSTER_SECRET = 'cross-node-suite-secret-0123456789abcdef';

interface Member {
  readonly node: Node;
  readonly transport: WsTransport;
  readonly address: string;
}

/**
 * Waits with real I/O turns (never timers) until `done()` holds. Socket traffic needs event-loop
 * turns, not virtual time; the wait is bounded in turns and in wall time.
 */
export async function ioUntil(done: () => boolean, what: string, maxMs = 5000): Promise<void> {
  const start = performance.now();
  for (let turn = 0; turn < 1_000_000 && !done(); turn++) {
    if (performance.now() - start > maxMs) break;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (!done()) throw new Error(`ws cluster: timed out waiting for ${what}`);
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

  const meshed = (): boolean => {
    for (const m of live.values()) {
      if (m.node.nodes().length !== live.size - 1) return false;
    }
    return true;
  };

  const start = async (name: string): Promise<Node> => {
    const transport = createWsTransport({ secret: CLUSTER_SECRET, ...options });
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
  await ioUntil(meshed, 'a full mesh');

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
      await ioUntil(
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
      await ioUntil(meshed, `${name} to join the mesh`);
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
