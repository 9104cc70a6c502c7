// A partition between nodes: docs/semantics.md items 44, 49, 54 and 56.
import { isDown, isExit, isWardenError } from '@warden/core';
import { TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { clusterOpener, type MakeCluster } from './cluster.js';
import { type Arrival, collector, linkedWaiter, server } from './remote-actors.js';

export function partitionSuite(make: MakeCluster): void {
  const open = clusterOpener(make);

  describe('partitions (items 44, 49, 56)', () => {
    it('fires every link and monitor across the cut with noconnection exactly once (items 44, 49, 56)', async () => {
      const cluster = await open(['a', 'b', 'c']);
      const [a, b, c] = [cluster.node('a'), cluster.node('b'), cluster.node('c')];
      const farLinked = [b.spawn(server), b.spawn(server), b.spawn(server)];
      const farMonitored = [b.spawn(server), b.spawn(server)];
      const bystander = c.spawn(server);
      const probe = new TestProbe(a);
      for (const pid of farLinked) probe.link(pid);
      const refs = farMonitored.map((pid) => probe.monitor(pid));
      probe.link(bystander);
      probe.monitor(bystander);
      const farProbe = new TestProbe(b);
      farProbe.link(probe.pid);
      farProbe.monitor(probe.pid);
      await cluster.clock.settle();

      await cluster.partition('a', 'b');
      for (const pid of farLinked) await probe.expectExit(pid, 'noconnection', { within: 0 });
      for (const ref of refs) await probe.expectDown(ref, 'noconnection', { within: 0 });
      await probe.expectExit(farProbe.pid, 'noconnection', { within: 0 });
      await farProbe.expectExit(probe.pid, 'noconnection', { within: 0 });
      await farProbe.expectDown(probe.pid, 'noconnection', { within: 0 });
      // The far ends of the probe's links did not trap exits: they died of the lost connection.
      for (const pid of farLinked) expect(b.isAlive(pid)).toBe(false);

      await cluster.heal();
      await cluster.clock.advance(60_000);
      await probe.expectNoMessage(1000);
      await farProbe.expectNoMessage(1000);
      expect(c.isAlive(bystander)).toBe(true);
      for (const pid of farMonitored) expect(b.isAlive(pid)).toBe(true);
    });

    it('kills a non-trapping process linked across the cut with noconnection (item 44)', async () => {
      const cluster = await open(['a', 'b']);
      const [a, b] = [cluster.node('a'), cluster.node('b')];
      const waiter = linkedWaiter(a, b.spawn(server));
      const watch = new TestProbe(a);
      const ref = watch.monitor(waiter);
      await cluster.clock.settle();
      await cluster.partition('a', 'b');
      expect((await watch.expectDown(ref, undefined, { within: 0 })).reason).toBe('noconnection');
    });

    it('rejects a call in flight across the cut with ERR_NODEDOWN, not ERR_CALL_TIMEOUT (item 56)', async () => {
      const cluster = await open(['a', 'b']);
      const [a, b] = [cluster.node('a'), cluster.node('b')];
      const srv = b.spawn(server);
      const outcome = a.call(srv, { hang: true }, { timeout: 60_000 }).catch((e: unknown) => e);
      await cluster.clock.settle();
      await cluster.partition('a', 'b');
      await cluster.clock.settle(); // no virtual time passes: the timeout cannot be what fires
      const error = await Promise.race([outcome, Promise.resolve('still pending')]);
      expect(isWardenError(error, 'ERR_NODEDOWN')).toBe(true);
    });

    it('rejects a new call to a disconnected node with ERR_NODEDOWN at once (item 56)', async () => {
      const cluster = await open(['a', 'b']);
      const [a, b] = [cluster.node('a'), cluster.node('b')];
      const srv = b.spawn(server);
      await cluster.partition('a', 'b');
      const outcome = a.call(srv, { echo: 1 }, { timeout: 60_000 }).catch((e: unknown) => e);
      await cluster.clock.settle();
      const error = await Promise.race([outcome, Promise.resolve('still pending')]);
      expect(isWardenError(error, 'ERR_NODEDOWN')).toBe(true);
    });

    it('answers a new link or monitor to a disconnected node with noconnection at once (items 44, 49)', async () => {
      const cluster = await open(['a', 'b']);
      const [a, b] = [cluster.node('a'), cluster.node('b')];
      const srv = b.spawn(server);
      await cluster.partition('a', 'b');
      const probe = new TestProbe(a);
      probe.link(srv);
      const ref = probe.monitor(srv);
      await probe.expectExit(srv, 'noconnection', { within: 0 });
      await probe.expectDown(ref, 'noconnection', { within: 0 });
    });

    it('dead-letters sends and casts to a disconnected node as noconnection (item 54)', async () => {
      const cluster = await open(['a', 'b']);
      const [a, b] = [cluster.node('a'), cluster.node('b')];
      const sink = b.spawn(collector);
      await cluster.partition('a', 'b');
      const before = a.deadLetters.countOf('noconnection');
      a.send(sink, 'lost 1');
      a.cast(sink, 'lost 2');
      a.spawn(async (ctx) => ctx.send(sink, 'lost 3'));
      await cluster.clock.settle();
      expect(a.deadLetters.countOf('noconnection')).toBe(before + 3);
      await cluster.heal();
      expect(await a.call<Arrival[]>(sink, 'log')).toEqual([]);
    });

    it('makes links, monitors and calls work again after heal (items 44, 49, 56)', async () => {
      const cluster = await open(['a', 'b']);
      const [a, b] = [cluster.node('a'), cluster.node('b')];
      const srv = b.spawn(server);
      await cluster.partition('a', 'b');
      await cluster.heal();
      expect(await a.call(srv, { echo: 'again' })).toBe('again');
      const probe = new TestProbe(a);
      probe.link(srv);
      const ref = probe.monitor(srv);
      await cluster.clock.settle();
      b.send(srv, 'crash');
      await probe.expectExit(srv);
      await probe.expectDown(ref);
    });

    it('never delivers after heal a message sent before the partition (item 54)', async () => {
      const cluster = await open(['a', 'b']);
      const [a, b] = [cluster.node('a'), cluster.node('b')];
      const arrived: unknown[] = [];
      const sink = b.spawn(
        async (ctx) => {
          for (;;) arrived.push(await ctx.receive());
        },
        { mailbox: { capacity: Number.POSITIVE_INFINITY } },
      );
      for (let i = 0; i < 50; i++) a.send(sink, i);
      await cluster.partition('a', 'b');
      // Whatever got through before the cut is a prefix, in order; the rest is lost for good.
      const atCut = arrived.length;
      await cluster.heal();
      await cluster.clock.settle();
      a.send(sink, 'after');
      await cluster.clock.advance(60_000);
      expect(arrived).toEqual([...Array.from({ length: atCut }, (_, i) => i), 'after']);
    });

    it('reports nothing more for a cut link or monitor after heal and later deaths (items 44, 49)', async () => {
      const cluster = await open(['a', 'b']);
      const [a, b] = [cluster.node('a'), cluster.node('b')];
      const trapper = b.spawn(server, { trapExit: true });
      const probe = new TestProbe(a);
      probe.link(trapper);
      probe.monitor(trapper);
      await cluster.clock.settle();
      await cluster.partition('a', 'b');
      expect(probe.messages.filter((m) => isExit(m) || isDown(m))).toHaveLength(2);
      probe.clear();
      await cluster.heal();
      b.exit(trapper, 'kill');
      await probe.expectNoMessage(5000);
    });
  });
}
