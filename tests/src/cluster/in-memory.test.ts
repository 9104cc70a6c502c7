// The cross-node suite over core's in-memory transport.
import { createInMemoryNetwork, createNode, type Node } from '@warden/core';
import { crossNodeSuite } from './cross-node-suite.js';

crossNodeSuite('the in-memory transport', async (names, clock) => {
  const network = createInMemoryNetwork();
  const started: Node[] = [];
  const start = (name: string): Node => {
    const node = createNode({ name, clock, transport: network.transport() });
    started.push(node);
    return node;
  };
  return {
    nodes: names.map(start),
    partition: (a, b) => network.partition(a, b),
    heal: () => network.heal(),
    startNode: async (name) => start(name),
    close: async () => {
      for (const node of started) await node.stop();
    },
  };
});
