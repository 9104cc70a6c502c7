// Cluster membership: connections are transitive (docs/semantics.md item 57), one connection per
// pair, and a new incarnation of a node replaces the old one (item 56).
import type { NodeEvent } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { isWsTransportError } from '../src/index.js';
import { nodeStarter, type TestNode, until } from './harness.js';

const start = nodeStarter();

function upsAndDowns(node: { inspect(o: (e: NodeEvent) => void): () => void }): string[] {
  const seen: string[] = [];
  node.inspect((e) => {
    if (e.type === 'node.up' || e.type === 'node.down') seen.push(`${e.type} ${e.node}`);
  });
  return seen;
}

describe('membership (items 56, 57)', () => {
  it('forms a full mesh of five nodes that each dialed only the first (item 57)', async () => {
    const clock = new TestClock();
    const nodes: TestNode[] = [];
    for (const name of ['n0', 'n1', 'n2', 'n3', 'n4']) nodes.push(await start(name, clock));
    const [seed, ...rest] = nodes;
    for (const n of rest) await n.transport.connect(seed?.address ?? '');
    await until(() => nodes.every((n) => n.node.nodes().length === 4), 'a full mesh');
    for (const n of nodes)
      expect(n.node.nodes().sort()).toEqual(
        nodes.map((m) => m.node.name).filter((x) => x !== n.node.name),
      );
    for (const n of nodes) expect(n.transport.stats().connections).toBe(4);
  });

  it('settles simultaneous dials between two nodes on one connection, each side up once', async () => {
    const clock = new TestClock();
    const a = await start('a', clock);
    const b = await start('b', clock);
    const seenA = upsAndDowns(a.node);
    const seenB = upsAndDowns(b.node);
    const [ab, ba] = await Promise.all([
      a.transport.connect(b.address),
      b.transport.connect(a.address),
    ]);
    expect([ab, ba]).toEqual(['b', 'a']);
    await clock.advance(30_000);
    expect(seenA).toEqual(['node.up b']);
    expect(seenB).toEqual(['node.up a']);
  });

  it('returns the peer name at once when asked to connect to a node already connected', async () => {
    const clock = new TestClock();
    const a = await start('a', clock);
    const b = await start('b', clock);
    await a.transport.connect(b.address);
    expect(await a.transport.connect(b.address)).toBe('b');
    expect(await b.transport.connect(a.address)).toBe('a');
    expect(a.transport.stats().connections).toBe(1);
  });

  it('refuses to connect a node to itself (ERR_SELF_CONNECT)', async () => {
    const clock = new TestClock();
    const a = await start('a', clock);
    const error = await a.transport.connect(a.address).catch((e: unknown) => e);
    expect(isWsTransportError(error, 'ERR_SELF_CONNECT')).toBe(true);
  });

  it('replaces the connection of an earlier incarnation: node.down, then node.up (item 56)', async () => {
    const clock = new TestClock();
    const a = await start('a', clock);
    const seen = upsAndDowns(a.node);
    const old = await start('b', clock);
    await old.transport.connect(a.address);
    // A new incarnation named b reaches a while a still holds the old one (as after a crash).
    const fresh = await start('b', clock);
    await fresh.transport.connect(a.address);
    await until(() => old.node.nodes().length === 0, 'the old incarnation to be dropped');
    expect(seen).toEqual(['node.up b', 'node.down b', 'node.up b']);
    expect(a.node.nodes()).toEqual(['b']);
  });

  it('lets a blocked peer in again only after unblock', async () => {
    const clock = new TestClock();
    const a = await start('a', clock);
    const b = await start('b', clock);
    a.transport.block('b');
    const refused = await b.transport.connect(a.address, { timeout: 0 }).catch((e: unknown) => e);
    expect(isWsTransportError(refused)).toBe(true);
    a.transport.unblock('b');
    expect(await b.transport.connect(a.address)).toBe('a');
  });
});
