// Node stop and node incarnations: docs/semantics.md item 56 and docs/semantics.md "Beyond OTP" (Pid).
import { isWardenError, type Node, type NodeEvent, sameReason } from '@warden/core';
import { TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { clusterOpener, type MakeCluster, type OpenCluster } from './cluster.js';
import { type Arrival, collector, server } from './remote-actors.js';

/** A node stop ends its processes with `shutdown`; a peer may see that or the lost connection. */
const STOP_REASONS = ['shutdown', 'noconnection'] as const;

export function lifecycleSuite(make: MakeCluster): void {
  const open = clusterOpener(make);

  describe('a node that stops (item 56)', () => {
    it('is seen by its peers as node down and leaves node.nodes() (item 56)', async () => {
      const cluster = await open(['a', 'b', 'c']);
      const [a, b, c] = [cluster.node('a'), cluster.node('b'), cluster.node('c')];
      const seen: string[] = [];
      a.inspect((e: NodeEvent) => {
        if (e.type === 'node.down' || e.type === 'node.up') seen.push(`${e.type} ${e.node}`);
      });
      await b.stop();
      await cluster.clock.advance(10_000);
      expect(seen).toEqual(['node.down b']);
      expect(a.nodes()).toEqual(['c']);
      expect(c.nodes()).toEqual(['a']);
    });

    it('fires each remote link and monitor on its processes exactly once (items 44, 49, 56)', async () => {
      const cluster = await open(['a', 'b']);
      const [a, b] = [cluster.node('a'), cluster.node('b')];
      const linked = b.spawn(server);
      const monitored = [b.spawn(server), b.spawn(server)];
      const probe = new TestProbe(a);
      probe.link(linked);
      const refs = monitored.map((pid) => probe.monitor(pid));
      await cluster.clock.settle();
      await b.stop();
      const exit = await probe.expectExit(linked, undefined, { within: 0 });
      expect(STOP_REASONS.some((r) => sameReason(exit.reason, r))).toBe(true);
      for (const ref of refs) {
        const down = await probe.expectDown(ref, undefined, { within: 0 });
        expect(STOP_REASONS.some((r) => sameReason(down.reason, r))).toBe(true);
      }
      await probe.expectNoMessage(60_000);
    });

    it('rejects a call in flight to the stopped node at once, not with ERR_CALL_TIMEOUT (items 51, 56)', async () => {
      const cluster = await open(['a', 'b']);
      const [a, b] = [cluster.node('a'), cluster.node('b')];
      const srv = b.spawn(server);
      const outcome = a.call(srv, { hang: true }, { timeout: 60_000 }).catch((e: unknown) => e);
      await cluster.clock.settle();
      await b.stop();
      await cluster.clock.settle();
      const error = await Promise.race([outcome, Promise.resolve('still pending')]);
      const nodeDown = isWardenError(error, 'ERR_NODEDOWN');
      const exited = isWardenError(error, 'ERR_EXIT') && error.reason === 'shutdown';
      expect(nodeDown || exited).toBe(true);
    });
  });

  describe('node incarnations (docs/semantics.md "Beyond OTP")', () => {
    /** Stops b and starts a new node named b on the same network; skips without `startNode`. */
    async function restartB(
      cluster: OpenCluster,
      skip: (note: string) => never,
    ): Promise<{ a: Node; oldB: Node; newB: Node }> {
      if (cluster.startNode === undefined) skip('the transport cannot start a new incarnation');
      const [a, oldB] = [cluster.node('a'), cluster.node('b')];
      await oldB.stop();
      await cluster.clock.settle();
      const newB = await (cluster.startNode as (name: string) => Promise<Node>)('b');
      await cluster.clock.settle();
      expect(newB.incarnation).not.toBe(oldB.incarnation);
      expect(a.nodes()).toContain('b');
      return { a, oldB, newB };
    }

    it('dead-letters a message to a pid of an earlier incarnation as stale-incarnation', async (t) => {
      const cluster = await open(['a', 'b']);
      const old = cluster.node('b').spawn(collector);
      const { a, newB } = await restartB(cluster, (note) => t.skip(note));
      // The new incarnation counts pids from the start again: this one has the old pid's id.
      let twin = newB.spawn(collector);
      for (let i = 0; i < 100 && twin.id < old.id; i++) twin = newB.spawn(collector);
      expect(twin.id).toBe(old.id);
      const before = newB.deadLetters.countOf('stale-incarnation');
      a.send(old, 'for the old b');
      a.cast(old, 'for the old b too');
      await cluster.clock.settle();
      expect(newB.deadLetters.countOf('stale-incarnation')).toBe(before + 2);
      expect(await newB.call<Arrival[]>(twin, 'log')).toEqual([]);
    });

    it('answers a link, monitor or call to a pid of an earlier incarnation with noproc (items 44, 49, 51)', async (t) => {
      const cluster = await open(['a', 'b']);
      const old = cluster.node('b').spawn(server);
      const { a, newB } = await restartB(cluster, (note) => t.skip(note));
      for (let i = 0; i <= old.id; i++) newB.spawn(server);
      const probe = new TestProbe(a);
      probe.link(old);
      const ref = probe.monitor(old);
      await probe.expectExit(old, 'noproc');
      await probe.expectDown(ref, 'noproc');
      const error = await a.call(old, { echo: 1 }).catch((e: unknown) => e);
      expect(isWardenError(error, 'ERR_NOPROC')).toBe(true);
    });
  });
}
