// Links and exit signals between nodes: docs/semantics.md items 44-46.
import { shutdownWith } from '@warden/core';
import { TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { clusterOpener, type MakeCluster } from './cluster.js';
import { BOOM, linkedWaiter, server } from './remote-actors.js';

export function linksSuite(make: MakeCluster): void {
  const open = clusterOpener(make);

  describe('links across nodes (item 44)', () => {
    it('kills the process linked on the other node with the crash reason (item 44)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const worker = b.spawn(server);
      const waiter = linkedWaiter(a, worker);
      const watch = new TestProbe(a);
      const ref = watch.monitor(waiter);
      await clock.settle();
      b.send(worker, 'crash');
      const down = await watch.expectDown(ref);
      expect(down.reason).toMatchObject(BOOM);
      expect(a.isAlive(waiter)).toBe(false);
    });

    it('propagates a crash both ways: a crash on the linking side kills the remote end (item 44)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const remote = b.spawn(server);
      const local = a.spawn(server);
      a.spawn(async (ctx) => {
        ctx.link(remote);
        ctx.link(local);
        await ctx.receive(() => false);
      });
      const watch = new TestProbe(b);
      const ref = watch.monitor(remote);
      await clock.settle();
      a.send(local, 'crash');
      expect((await watch.expectDown(ref)).reason).toMatchObject(BOOM);
    });

    it('delivers a trapped EXIT with the real reason across nodes (items 44, 46)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const worker = b.spawn(server);
      const probe = new TestProbe(a);
      probe.link(worker);
      await clock.settle();
      b.send(worker, 'crash');
      expect((await probe.expectExit(worker)).reason).toMatchObject(BOOM);
    });

    it('answers a link to a dead remote pid with an EXIT noproc (item 44)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const gone = b.spawn(server);
      b.exit(gone, 'kill');
      await clock.settle();
      const probe = new TestProbe(a);
      probe.link(gone);
      await probe.expectExit(gone, 'noproc');
      const waiter = linkedWaiter(a, gone);
      const watch = new TestProbe(a);
      const ref = watch.monitor(waiter);
      expect((await watch.expectDown(ref)).reason).toBe('noproc');
    });

    it('keeps one link per pair: a repeated remote link yields one EXIT (item 44)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const worker = b.spawn(server);
      const probe = new TestProbe(a);
      probe.link(worker);
      probe.link(worker);
      probe.link(worker);
      await clock.settle();
      expect(b.processInfo(worker)?.links).toHaveLength(1);
      b.send(worker, 'crash');
      await probe.expectExit(worker);
      await probe.expectNoMessage(5000);
    });

    it('stops exit propagation after an unlink across nodes, on both ends (item 44)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const worker = b.spawn(server);
      const probe = new TestProbe(a);
      probe.link(worker);
      await clock.settle();
      probe.unlink(worker);
      await clock.settle();
      expect(b.processInfo(worker)?.links).toEqual([]);
      b.send(worker, 'crash');
      await probe.expectNoMessage(5000);
    });

    it('does not kill the remote end after an unlink when the local end crashes (item 44)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const remote = b.spawn(server);
      const local = a.spawn(async (ctx) => {
        ctx.link(remote);
        await ctx.receive((m) => m === 'unlink');
        ctx.unlink(remote);
        await ctx.receive((m) => m === 'crash');
        throw new Error('boom');
      });
      await clock.settle();
      a.send(local, 'unlink');
      a.send(local, 'crash');
      await clock.advance(5000);
      expect(a.isAlive(local)).toBe(false);
      expect(b.isAlive(remote)).toBe(true);
    });
  });

  describe('exit signals across nodes (items 45, 46)', () => {
    it('ends a remote process with the reason given to exit(pid, reason) (item 45)', async () => {
      const { node } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const worker = b.spawn(server);
      const watch = new TestProbe(b);
      const ref = watch.monitor(worker);
      a.exit(worker, shutdownWith('maintenance'));
      expect((await watch.expectDown(ref)).reason).toEqual(shutdownWith('maintenance'));
    });

    it('turns a remote exit(pid, kill) into killed, even for a process trapping exits (item 45)', async () => {
      const { node } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const trapper = b.spawn(server, { trapExit: true });
      const watch = new TestProbe(b);
      const ref = watch.monitor(trapper);
      a.exit(trapper, 'kill');
      expect((await watch.expectDown(ref)).reason).toBe('killed');
    });

    it('ignores a remote exit(pid, normal) sent to a process not trapping exits (item 45)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const worker = b.spawn(server);
      a.exit(worker, 'normal');
      await clock.advance(5000);
      expect(b.isAlive(worker)).toBe(true);
    });

    it('delivers a remote exit signal to a trapping process as an EXIT from the sender (item 46)', async () => {
      const { node } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const probe = new TestProbe(b);
      const sender = a.spawn(
        async (ctx, to: typeof probe.pid) => {
          ctx.exit(to, 'normal');
          ctx.exit(to, shutdownWith('why'));
          await ctx.receive(() => false);
        },
        { args: probe.pid },
      );
      await probe.expectExit(sender, 'normal');
      await probe.expectExit(sender, shutdownWith('why'));
      expect(b.isAlive(probe.pid)).toBe(true);
    });
  });
}
