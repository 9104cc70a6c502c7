import { type Clock, createNode, type Node } from '@warden/core';
import { afterEach } from 'vitest';
import { createWsTransport, type WsTransport, type WsTransportOptions } from '../src/index.js';

export const SECRET = 'test-secret-0123456789-abcdefghijklmnop';

export interface TestNode {
  readonly node: Node;
  readonly transport: WsTransport;
  readonly address: string;
}

/**
 * Nodes on real loopback sockets, closed after each test. Call inside a `describe` (or at top
 * level of a file) so the `afterEach` is registered.
 */
export function nodeStarter(): (
  name: string,
  clock: Clock,
  options?: Partial<WsTransportOptions>,
) => Promise<TestNode> {
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
    const transport = createWsTransport({ secret: SECRET, ...options });
    const node = createNode({ name, clock, transport });
    const bound = await transport.listen({ host: '127.0.0.1', port: 0 });
    const t = { node, transport, address: `${bound.host}:${bound.port}` };
    started.push(t);
    return t;
  };
}

/** Waits, with real I/O turns, until `done()` holds; bounded in turns and in wall time. */
export async function until(done: () => boolean, what: string, maxMs = 5000): Promise<void> {
  const start = performance.now();
  for (let turn = 0; turn < 1_000_000; turn++) {
    if (done()) return;
    if (performance.now() - start > maxMs) break;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (!done()) throw new Error(`timed out waiting for ${what}`);
}
