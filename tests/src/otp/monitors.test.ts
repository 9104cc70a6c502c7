import {
  createInMemoryNetwork,
  createNode,
  DownMessage,
  type Pid,
  type Ref,
  shutdownWith,
} from '@warden/core';
import { TestClock, TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { exitOnCommand, idle } from '../support/process-fixtures.js';

// docs/semantics.md section 11, item 49.

function setup() {
  const clock = new TestClock();
  const node = createNode({ name: 'a', clock });
  return { clock, node, probe: new TestProbe(node) };
}

function cluster() {
  const clock = new TestClock();
  const net = createInMemoryNetwork();
  const a = createNode({ name: 'a', clock, transport: net.transport() });
  const b = createNode({ name: 'b', clock, transport: net.transport() });
  return { clock, net, a, b };
}

describe('monitors (item 49)', () => {
  it('delivers DownMessage { ref, pid, reason } when the target dies (item 49)', async () => {
    const { node, probe } = setup();
    const target = node.spawn(exitOnCommand);
    const ref = probe.monitor(target);
    expect(typeof ref).toBe('string');
    node.send(target, { exit: shutdownWith('done') });
    const down = await probe.expectDown(ref);
    expect(down).toBeInstanceOf(DownMessage);
    expect(down.ref).toBe(ref);
    expect(down.pid).toEqual(target);
    expect(down.reason).toEqual(shutdownWith('done'));
  });

  it('delivers DOWN with noproc immediately for a target that does not exist (item 49)', async () => {
    const { clock, node, probe } = setup();
    const gone = node.spawn(async () => {});
    await clock.settle();
    const watcher = node.spawn(async (ctx) => {
      const ref = ctx.monitor(gone);
      // A poll: the DOWN must already be queued, without any time passing.
      const m = (await ctx.receive(undefined, { timeout: 0 })) as DownMessage;
      ctx.send(probe.pid, { same: m.ref === ref, reason: m.reason, pid: m.pid });
    });
    expect(await probe.expectMessage(undefined, { within: 0 })).toEqual({
      same: true,
      reason: 'noproc',
      pid: gone,
    });
    expect(node.isAlive(watcher)).toBe(false);
  });

  it('is one-way: the target survives its watcher and forgets it (item 49)', async () => {
    const { clock, node, probe } = setup();
    const target = node.spawn(idle);
    const watcher = node.spawn(async (ctx) => {
      ctx.monitor(target);
      await ctx.receive((m) => m === 'die');
      ctx.exit(shutdownWith('bye'));
    });
    probe.monitor(watcher);
    await clock.settle();
    expect(node.processInfo(target)?.monitoredBy).toEqual([watcher]);
    node.send(watcher, 'die');
    await probe.expectDown(watcher);
    expect(node.isAlive(target)).toBe(true);
    expect(node.processInfo(target)?.monitoredBy).toEqual([]);
  });

  it('keeps repeated monitors independent: one DOWN each (item 49)', async () => {
    const { node, probe } = setup();
    const target = node.spawn(exitOnCommand);
    const r1 = probe.monitor(target);
    const r2 = probe.monitor(target);
    const r3 = probe.monitor(target);
    expect(new Set([r1, r2, r3]).size).toBe(3);
    expect(probe.demonitor(r2)).toBe(true);
    node.send(target, { exit: 'shutdown' });
    await probe.expectDown(r1, 'shutdown');
    await probe.expectDown(r3, 'shutdown');
    await probe.expectNoMessage(1000);
  });

  it('removes a queued DOWN with demonitor flush (item 49)', async () => {
    const { clock, node, probe } = setup();
    const target = node.spawn(exitOnCommand);
    const watcher = node.spawn(async (ctx) => {
      const flushed = ctx.monitor(target);
      const kept = ctx.monitor(target);
      await ctx.receive((m) => m === 'check');
      // Both DOWNs are queued now.
      const active = ctx.demonitor(flushed, { flush: true });
      ctx.demonitor(kept); // no flush: its DOWN stays
      const m = (await ctx.receive(undefined, { timeout: 0 })) as DownMessage;
      let more = true;
      await ctx.receive(undefined, { timeout: 0 }).catch(() => (more = false));
      ctx.send(probe.pid, { active, keptFirst: m.ref === kept, more });
    });
    await clock.settle();
    node.send(target, { exit: 'shutdown' });
    await clock.settle();
    expect(node.processInfo(watcher)?.mailboxSize).toBe(2);
    node.send(watcher, 'check');
    expect(await probe.expectMessage()).toEqual({ active: false, keptFirst: true, more: false });
  });

  it('delivers no DOWN after demonitor, and demonitor reports whether it was active (item 49)', async () => {
    const { node, probe } = setup();
    const target = node.spawn(exitOnCommand);
    const ref = probe.monitor(target);
    expect(probe.demonitor(ref)).toBe(true);
    expect(probe.demonitor(ref)).toBe(false);
    expect(node.processInfo(target)?.monitoredBy).toEqual([]);
    node.send(target, { exit: 'shutdown' });
    await probe.expectNoMessage(1000);
  });

  it('delivers killed to every watcher of a killed process (item 49)', async () => {
    const { node, probe } = setup();
    const other = new TestProbe(node);
    const target = node.spawn(idle, { trapExit: true });
    probe.monitor(target);
    other.monitor(target);
    node.exit(target, 'kill');
    await probe.expectDown(target, 'killed');
    await other.expectDown(target, 'killed');
  });
});

describe('monitors across nodes (item 49)', () => {
  it('delivers the remote process exit reason across nodes (item 49)', async () => {
    const { a, b } = cluster();
    const probe = new TestProbe(a);
    const remote = b.spawn(exitOnCommand);
    const ref = probe.monitor(remote);
    b.send(remote, { exit: shutdownWith('remote') });
    const down = await probe.expectDown(ref, shutdownWith('remote'));
    expect(down.pid).toEqual(remote);
  });

  it('delivers noproc for a remote pid that does not exist (item 49)', async () => {
    const { clock, a, b } = cluster();
    const probe = new TestProbe(a);
    const gone = b.spawn(async () => {});
    await clock.settle();
    await probe.expectDown(probe.monitor(gone), 'noproc');
  });

  it('reports noconnection when the connection to the target node is lost (item 49)', async () => {
    const { clock, net, a, b } = cluster();
    const probe = new TestProbe(a);
    const remote = b.spawn(idle);
    const ref = probe.monitor(remote);
    await clock.settle();
    expect(b.processInfo(remote)?.monitoredBy).toEqual([probe.pid]);
    net.partition('a', 'b');
    await probe.expectDown(ref, 'noconnection');
    // Exactly once: healing and a later exit of the target deliver nothing more.
    net.heal();
    b.exit(remote, 'kill');
    await probe.expectNoMessage(1000);
  });

  it('reports noconnection at once when the target node is not connected (item 49)', async () => {
    const { net, a, b } = cluster();
    const probe = new TestProbe(a);
    const remote: Pid = b.spawn(idle);
    net.partition('a', 'b');
    const ref: Ref = probe.monitor(remote);
    await probe.expectDown(ref, 'noconnection', { within: 0 });
  });
});
