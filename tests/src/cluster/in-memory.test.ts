// The cross-node suite over core's in-memory transport.
import { createInMemoryNetwork, createNode, type Envelope, type Node } from '@warden/core';
import { crossNodeSuite } from './cross-node-suite.js';
import { recordInbound } from './recording-transport.js';

crossNodeSuite('the in-memory transport', async (names, clock) => {
  const network = createInMemoryNetwork();
  const started: Node[] = [];
  const received = new Map<string, Envelope[]>();
  const start = (name: string): Node => {
    const log: Envelope[] = [];
    received.set(name, log);
    const node = createNode({ name, clock, transport: recordInbound(network.transport(), log) });
    started.push(node);
    return node;
  };
  return {
    nodes: names.map(start),
    partition: (a, b) => network.partition(a, b),
    heal: () => network.heal(),
    startNode: async (name) => start(name),
    received: (name) => received.get(name) ?? [],
    close: async () => {
      for (const node of started) await node.stop();
    },
  };
});
