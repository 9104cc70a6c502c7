import { type Clock, createNode, type Node } from '@warden/core';
import { afterEach } from 'vitest';
import {
  type ClusterKey,
  createWsTransport,
  type WsTransport,
  type WsTransportOptions,
} from '../src/index.js';
import { CLUSTER, identityOf } from './credentials.js';

export const SECRET = 'test-secret-0123456789-abcdefghijklmnop';

export interface TestNode {
  readonly node: Node;
  readonly transport: WsTransport;
  readonly address: string;
}

/**
 * Nodes on real loopback sockets, closed after each test. Call inside a `describe` (or at top
 * level of a file) so the `afterEach` is registered. Each node proves its name with a credential
 * issued by `cluster` (one key for every node of the test cluster), as a deployment would; a
 * test that wants another credential passes its own `identity`.
 */
export function nodeStarter(
  cluster: ClusterKey = CLUSTER,
): (name: string, clock: Clock, options?: Partial<WsTransportOptions>) => Promise<TestNode> {
  let started: TestNode[] = [];
  afterEach(async () => {
    const closing = started;
    started = [];
    for (const t of closing) {
      await t.node.stop();
      await t.transport.close();
    }
  });
  return async (name, clock, options = {}) => {
    const transport = createWsTransport({
      secret: SECRET,
      identity: identityOf(name, cluster),
      ...options,
    });
    const node = createNode({ name, clock, transport });
    const bound = await transport.listen({ host: '127.0.0.1', port: 0 });
    const t = { node, transport, address: `${bound.host}:${bound.port}` };
    started.push(t);
    return t;
  };
}

/**
 * Waits, with real I/O turns, until `done()` holds (for conditions no event announces, such as
 * transport stats). Bounded in turns, and by a generous timer that fails the wait: a guard
 * against a hang, never a measurement.
 */
export async function until(done: () => boolean, what: string, maxMs = 5000): Promise<void> {
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
  }, maxMs);
  try {
    for (let turn = 0; turn < 1_000_000 && !expired; turn++) {
      if (done()) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    clearTimeout(timer);
  }
  if (!done()) throw new Error(`timed out waiting for ${what}`);
}

/**
 * Resolves once `done()` holds, re-checked on each of `node`'s node.up and node.down events:
 * membership changes only through them, so the wait ends on the event, never on a poll. A
 * generous timer fails it if the event never comes.
 */
export function untilNodes(
  node: Node,
  done: (peers: readonly string[]) => boolean,
  what: string,
  maxMs = 10_000,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      stop();
      if (error === undefined) resolve();
      else reject(error);
    };
    const timer = setTimeout(() => finish(new Error(`no ${what} within ${maxMs} ms`)), maxMs);
    const stop = node.inspect((e) => {
      if ((e.type === 'node.up' || e.type === 'node.down') && done(node.nodes())) finish();
    });
    if (done(node.nodes())) finish();
  });
}
