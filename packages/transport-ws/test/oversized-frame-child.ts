// The victim of oversized-frame.test.ts, run in a child process with --expose-gc so that its
// memory is its own: a node listening on 127.0.0.1 that prints its address, then answers each
// line `measure` on stdin with one JSON line of its memory after several forced collections. Its
// credential comes from the test in WARDEN_TEST_IDENTITY (the test holds the cluster key).
import { createInterface } from 'node:readline';
import { createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { createWsTransport } from '../src/index.js';
import { SECRET } from './harness.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

async function settledMemory(): Promise<{ rss: number; arrayBuffers: number; external: number }> {
  for (let i = 0; i < 8; i++) {
    gc?.();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    arrayBuffers: m.arrayBuffers,
    external: m.external,
  };
}

const transport = createWsTransport({
  secret: SECRET,
  identity: JSON.parse(process.env.WARDEN_TEST_IDENTITY ?? 'null'),
});
const node = createNode({ name: 'victim', clock: new TestClock(), transport });
const bound = await transport.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ address: `${bound.host}:${bound.port}` })}\n`);

for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'measure') process.stdout.write(`${JSON.stringify(await settledMemory())}\n`);
  if (line === 'stop') break;
}
await node.stop();
await transport.close();
