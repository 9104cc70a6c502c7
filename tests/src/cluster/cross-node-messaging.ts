// Connections (item 56) and messages (items 52, 54) between nodes.
import { isWardenError, type NodeEvent, type Pid } from '@warden/core';
import { describe, expect, it } from 'vitest';
import { clusterOpener, type MakeCluster } from './cluster.js';
import { type Arrival, collector } from './remote-actors.js';

export function messagingSuite(make: MakeCluster): void {
  const open = clusterOpener(make);

  describe('node connections (item 56)', () => {
    it('lists every connected peer in node.nodes() (item 56)', async () => {
      const { node } = await open(['a', 'b', 'c']);
      const [a, b, c] = [node('a'), node('b'), node('c')];
      expect(a.nodes().sort()).toEqual(['b', 'c']);
      expect(b.nodes().sort()).toEqual(['a', 'c']);
      expect(c.nodes().sort()).toEqual(['a', 'b']);
    });

    it('drops a peer from node.nodes() while partitioned and lists it again after heal (item 56)', async () => {
      const cluster = await open(['a', 'b', 'c']);
      const [a, b] = [cluster.node('a'), cluster.node('b')];
      await cluster.partition('a', 'b');
      await cluster.clock.settle();
      expect(a.nodes().sort()).toEqual(['c']);
      expect(b.nodes().sort()).toEqual(['c']);
      await cluster.heal();
      await cluster.clock.settle();
      expect(a.nodes().sort()).toEqual(['b', 'c']);
    });

    it('emits node.down on a partition and node.up on heal, once per peer (item 56)', async () => {
      const cluster = await open(['a', 'b', 'c']);
      const [a, b, c] = [cluster.node('a'), cluster.node('b'), cluster.node('c')];
      const seen = { a: [] as string[], b: [] as string[], c: [] as string[] };
      const record = (into: string[]) => (e: NodeEvent) => {
        if (e.type === 'node.up' || e.type === 'node.down') into.push(`${e.type} ${e.node}`);
      };
      a.inspect(record(seen.a));
      b.inspect(record(seen.b));
      c.inspect(record(seen.c));
      await cluster.partition('a', 'b');
      await cluster.heal();
      await cluster.clock.advance(10_000);
      expect(seen.a).toEqual(['node.down b', 'node.up b']);
      expect(seen.b).toEqual(['node.down a', 'node.up a']);
      expect(seen.c).toEqual([]);
    });
  });

  describe('messages across nodes (items 52, 54)', () => {
    it('delivers a remote send to handleInfo and a remote cast to handleCast', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const sink = b.spawn(collector);
      a.send(sink, { hello: 1 });
      a.cast(sink, { hello: 2 });
      await clock.settle();
      expect(await b.call<Arrival[]>(sink, 'log')).toEqual([
        { via: 'info', message: { hello: 1 } },
        { via: 'cast', message: { hello: 2 } },
      ]);
    });

    it('keeps FIFO order per sender-receiver pair across 500 remote sends and casts (item 52)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const sink = b.spawn(collector, { mailbox: { capacity: Number.POSITIVE_INFINITY } });
      a.spawn(
        async (ctx, to: Pid) => {
          for (let i = 0; i < 500; i++) {
            if (i % 3 === 0) ctx.cast(to, i);
            else ctx.send(to, i);
          }
        },
        { args: sink },
      );
      await clock.settle();
      const log = await b.call<Arrival[]>(sink, 'log');
      expect(log.map((x) => x.message)).toEqual(Array.from({ length: 500 }, (_, i) => i));
      expect(log.every((x) => x.via === ((x.message as number) % 3 === 0 ? 'cast' : 'info'))).toBe(
        true,
      );
    });

    it('keeps each sender order when senders on two nodes interleave (item 52)', async () => {
      const { node, clock } = await open(['a', 'b', 'c']);
      const [a, b, c] = [node('a'), node('b'), node('c')];
      const sink = b.spawn(collector, { mailbox: { capacity: Number.POSITIVE_INFINITY } });
      for (const [sender, tag] of [
        [a, 'a'],
        [c, 'c'],
      ] as const) {
        sender.spawn(
          async (ctx, to: Pid) => {
            for (let i = 0; i < 200; i++) ctx.send(to, { tag, i });
          },
          { args: sink },
        );
      }
      await clock.settle();
      const log = (await b.call<Arrival[]>(sink, 'log')).map(
        (x) => x.message as { tag: string; i: number },
      );
      expect(log).toHaveLength(400);
      for (const tag of ['a', 'c']) {
        expect(log.filter((m) => m.tag === tag).map((m) => m.i)).toEqual(
          Array.from({ length: 200 }, (_, i) => i),
        );
      }
    });

    it('resolves a registered name on the sender node only (names are local)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const sink = b.spawn(collector, { name: 'svc' });
      const before = a.deadLetters.countOf('unknown-name');
      a.send('svc', 'for b?');
      await clock.settle();
      expect(a.deadLetters.countOf('unknown-name')).toBe(before + 1);
      expect(await b.call<Arrival[]>(sink, 'log')).toEqual([]);
      const error = await a.call('svc', { echo: 1 }).catch((e: unknown) => e);
      expect(isWardenError(error, 'ERR_NOPROC')).toBe(true);
    });
  });
}
