import type { Envelope, Node } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { afterEach } from 'vitest';

/**
 * A cluster of nodes joined by one transport, as the cross-node suite needs it. A transport under
 * test (in-memory, WebSockets) provides a `MakeCluster`; the suite never looks further.
 *
 * `startNode` is optional: a transport that can start a fresh incarnation of a stopped node under
 * the same name on the same network provides it, and the incarnation tests run; without it they
 * are skipped. So is `received`: every envelope the named node has received, in arrival order
 * (`recordInbound` keeps them); the tests that count envelopes on the wire need it.
 */
export interface Cluster {
  readonly nodes: Node[];
  partition(a: string, b: string): Promise<void> | void;
  heal(): Promise<void> | void;
  close(): Promise<void>;
  startNode?(name: string): Promise<Node>;
  received?(name: string): readonly Envelope[];
}

export type MakeCluster = (names: string[], clock: TestClock) => Promise<Cluster>;

/** A cluster opened for one test, with the virtual clock it runs on. */
export interface OpenCluster {
  readonly clock: TestClock;
  readonly nodes: Node[];
  /** The node of the cluster with that name (throws if there is none). */
  node(name: string): Node;
  /** Cuts `a` from `b` (both sides see node down). */
  partition(a: string, b: string): Promise<void>;
  /** Heals every cut. */
  heal(): Promise<void>;
  /** Undefined when the transport cannot start a new incarnation of a node. */
  readonly startNode: ((name: string) => Promise<Node>) | undefined;
  /** Envelopes the named node has received so far; undefined when the cluster does not record. */
  readonly received: ((name: string) => readonly Envelope[]) | undefined;
}

/**
 * Returns `open(names)`, which builds a cluster on a fresh `TestClock` and closes it after the
 * test. Call it inside a `describe` block so the `afterEach` is scoped to it.
 */
export function clusterOpener(make: MakeCluster): (names: string[]) => Promise<OpenCluster> {
  let opened: Cluster[] = [];
  afterEach(async () => {
    const closing = opened;
    opened = [];
    for (const cluster of closing) await cluster.close();
  });
  return async (names) => {
    const clock = new TestClock();
    const cluster = await make(names, clock);
    opened.push(cluster);
    return {
      clock,
      nodes: cluster.nodes,
      node: (name) => {
        const found = cluster.nodes.find((n) => n.name === name);
        if (found === undefined) throw new Error(`no node named ${name} in the cluster`);
        return found;
      },
      partition: async (a, b) => {
        await cluster.partition(a, b);
      },
      heal: async () => {
        await cluster.heal();
      },
      startNode:
        cluster.startNode === undefined
          ? undefined
          : (name) => (cluster.startNode as (n: string) => Promise<Node>).call(cluster, name),
      received: cluster.received?.bind(cluster),
    };
  };
}
