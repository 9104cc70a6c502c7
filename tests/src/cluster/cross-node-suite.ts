// The cross-node semantics every transport must keep: docs/semantics.md items 44, 49, 52 and 56
// (with 45, 46, 50, 51 and 54 where a signal or a call crosses nodes), plus docs/semantics.md "Beyond OTP"
// (incarnations, dead letters). A transport runs it unchanged with its own `makeCluster`.
import { describe } from 'vitest';
import type { MakeCluster } from './cluster.js';
import { callsSuite } from './cross-node-calls.js';
import { lifecycleSuite } from './cross-node-lifecycle.js';
import { linksSuite } from './cross-node-links.js';
import { messagingSuite } from './cross-node-messaging.js';
import { monitorsSuite } from './cross-node-monitors.js';
import { partitionSuite } from './cross-node-partition.js';
import { supervisionSuite } from './cross-node-supervision.js';

export type { Cluster, MakeCluster } from './cluster.js';

/**
 * Registers the cross-node suite for one transport.
 *
 * `makeCluster(names, clock)` must start one node per name on `clock`, all connected to each
 * other; `partition(a, b)` cuts the two nodes apart (both sides see node down), `heal()` restores
 * every cut, `close()` stops every node it started. The optional `startNode(name)` starts a new
 * incarnation of a stopped node under the same name; without it the incarnation tests are skipped.
 * The optional `received(name)` lists the envelopes that node has received (`recordInbound`);
 * without it the tests that count envelopes on the wire are skipped.
 * `clock.settle()` must cover traffic still in flight on the transport.
 *
 * @example
 * crossNodeSuite('in-memory transport', async (names, clock) => {
 *   const net = createInMemoryNetwork();
 *   const nodes = names.map((name) => createNode({ name, clock, transport: net.transport() }));
 *   const close = async () => { for (const node of nodes) await node.stop(); };
 *   return { nodes, partition: (a, b) => net.partition(a, b), heal: () => net.heal(), close };
 * });
 */
export function crossNodeSuite(name: string, makeCluster: MakeCluster): void {
  describe(`cross-node semantics over ${name}`, () => {
    messagingSuite(makeCluster);
    callsSuite(makeCluster);
    linksSuite(makeCluster);
    monitorsSuite(makeCluster);
    partitionSuite(makeCluster);
    lifecycleSuite(makeCluster);
    supervisionSuite(makeCluster);
  });
}
