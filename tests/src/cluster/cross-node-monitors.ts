// Monitors between nodes: docs/semantics.md item 49.
import { DownMessage, isDown } from '@warden/core';
import { TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { clusterOpener, type MakeCluster } from './cluster.js';
import { BOOM, server } from './remote-actors.js';

export function monitorsSuite(make: MakeCluster): void {
  const open = clusterOpener(make);

  describe('monitors across nodes (item 49)', () => {
    it('delivers DOWN with the real reason for a remote monitor (item 49)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const worker = b.spawn(server);
      const probe = new TestProbe(a);
      const ref = probe.monitor(worker);
      await clock.settle();
      b.send(worker, 'crash');
      const down = await probe.expectDown(ref);
      expect(down.pid.key).toBe(worker.key);
      expect(down.reason).toMatchObject(BOOM);
    });

    it('delivers DOWN noproc for a monitor of a dead remote pid (item 49)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const gone = b.spawn(server);
      b.exit(gone, 'kill');
      await clock.settle();
      const probe = new TestProbe(a);
      const ref = probe.monitor(gone);
      expect((await probe.expectDown(ref, undefined, { within: 0 })).reason).toBe('noproc');
    });

    it('delivers one DOWN per remote monitor when monitors are repeated (item 49)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const worker = b.spawn(server);
      const probe = new TestProbe(a);
      const refs = [probe.monitor(worker), probe.monitor(worker), probe.monitor(worker)];
      expect(new Set(refs).size).toBe(3);
      await clock.settle();
      expect(b.processInfo(worker)?.monitoredBy).toHaveLength(3);
      a.exit(worker, 'shutdown');
      for (const ref of refs) await probe.expectDown(ref, 'shutdown');
      await probe.expectNoMessage(5000);
    });

    it('is one-way: the remote target is not affected when the watcher dies (item 49)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const worker = b.spawn(server);
      const watcher = a.spawn(async (ctx) => {
        ctx.monitor(worker);
        await ctx.receive((m) => m === 'crash');
        throw new Error('boom');
      });
      await clock.settle();
      expect(b.processInfo(worker)?.monitoredBy).toHaveLength(1);
      a.send(watcher, 'crash');
      await clock.advance(5000);
      expect(b.isAlive(worker)).toBe(true);
      expect(b.processInfo(worker)?.monitoredBy).toEqual([]);
    });

    it('delivers no DOWN after a demonitor across nodes (item 49)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const worker = b.spawn(server);
      const probe = new TestProbe(a);
      const ref = probe.monitor(worker);
      await clock.settle();
      expect(probe.demonitor(ref)).toBe(true);
      await clock.settle();
      expect(b.processInfo(worker)?.monitoredBy).toEqual([]);
      b.send(worker, 'crash');
      await probe.expectNoMessage(5000);
    });

    it('removes a remote DOWN already queued with demonitor flush (item 49)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const worker = b.spawn(server);
      const seen: unknown[] = [];
      const watcher = a.spawn(async (ctx) => {
        const ref = ctx.monitor(worker);
        await ctx.receive((m) => m === 'go');
        seen.push(ctx.demonitor(ref, { flush: true }));
        seen.push(await ctx.receive(isDown, { timeout: 0 }).catch(() => 'empty'));
      });
      await clock.settle();
      b.send(worker, 'crash');
      await clock.settle();
      a.send(watcher, 'go');
      await clock.settle();
      expect(seen).toEqual([false, 'empty']);
      expect(seen.some((m) => m instanceof DownMessage)).toBe(false);
    });
  });
}
