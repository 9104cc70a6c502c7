import { createInMemoryNetwork, createNode, ExitMessage, shutdownWith } from '@warden/core';
import { TestClock, TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { exitOnCommand, idle } from '../support/process-fixtures.js';

// docs/semantics.md section 10, item 44 (items 45-47: exit-signals.test.ts; 48: terminate-on-shutdown.test.ts).

function setup() {
  const clock = new TestClock();
  const node = createNode({ name: 'a', clock });
  return { clock, node, probe: new TestProbe(node) };
}

describe('links (item 44)', () => {
  it('sends the exit reason of a terminating process to every linked process (item 44)', async () => {
    const { node } = setup();
    const p1 = new TestProbe(node);
    const p2 = new TestProbe(node);
    const pid = node.spawn(exitOnCommand);
    p1.link(pid);
    p2.link(pid);
    node.send(pid, { exit: shutdownWith('bye') });
    expect((await p1.expectExit(pid)).reason).toEqual(shutdownWith('bye'));
    expect((await p2.expectExit(pid)).reason).toEqual(shutdownWith('bye'));
  });

  it('makes a link bidirectional whichever side created it (item 44)', async () => {
    const { clock, node, probe } = setup();
    const watcher = new TestProbe(node);
    const other = node.spawn(
      async (ctx) => {
        const m = (await ctx.receive((x) => x instanceof ExitMessage)) as ExitMessage;
        ctx.send(watcher.pid, { got: m.reason, from: m.from });
      },
      { trapExit: true },
    );
    probe.link(other);
    await clock.settle();
    expect(node.processInfo(other)?.links).toEqual([probe.pid]);
    node.exit(probe.pid, 'kill');
    expect(await watcher.expectMessage()).toEqual({ got: 'killed', from: probe.pid });
  });

  it('keeps at most one link per pair: repeated link calls have no effect (item 44)', async () => {
    const { clock, node, probe } = setup();
    const target = node.spawn(exitOnCommand);
    const linker = node.spawn(async (ctx) => {
      ctx.link(target);
      ctx.link(target);
      ctx.link(target);
      ctx.send(probe.pid, node.processInfo(ctx.self)?.links.length);
      await ctx.receive((m) => m === 'unlink');
      ctx.unlink(target); // one unlink removes the one link
      await ctx.receive(() => false);
    });
    expect(await probe.expectMessage()).toBe(1);
    node.send(linker, 'unlink');
    await clock.settle();
    node.send(target, { exit: 'shutdown' });
    await clock.settle();
    expect(node.isAlive(target)).toBe(false);
    expect(node.isAlive(linker)).toBe(true);
  });

  it('shares one link between both ends: linking from each side is still one link (item 44)', async () => {
    const { clock, node, probe } = setup();
    const a = node.spawn(async (ctx) => {
      ctx.link(probe.pid);
      await ctx.receive((m) => m === 'unlink');
      ctx.unlink(probe.pid); // one unlink, from either side, removes the link
      await ctx.receive(() => false);
    });
    await clock.settle();
    probe.link(a);
    expect(node.processInfo(a)?.links).toEqual([probe.pid]);
    expect(node.processInfo(probe.pid)?.links).toEqual([a]);
    node.send(a, 'unlink');
    await clock.settle();
    expect(node.processInfo(probe.pid)?.links).toEqual([]);
    node.exit(a, 'shutdown');
    await probe.expectNoMessage(1000, (m) => m instanceof ExitMessage);
  });

  it('delivers one EXIT to a trapping process linked twice to the same process (item 44)', async () => {
    const { node, probe } = setup();
    const target = node.spawn(exitOnCommand);
    probe.link(target);
    probe.link(target);
    node.send(target, { exit: 'shutdown' });
    await probe.expectExit(target, 'shutdown');
    await probe.expectNoMessage(1000);
  });

  it('signals noproc to a trapping process that links to a pid that does not exist (item 44)', async () => {
    const { clock, node, probe } = setup();
    const gone = node.spawn(async () => {});
    await clock.settle();
    probe.link(gone);
    await probe.expectExit(gone, 'noproc');
  });

  it('kills a non-trapping process that links to a pid that does not exist with noproc (item 44)', async () => {
    const { clock, node, probe } = setup();
    const gone = node.spawn(async () => {});
    await clock.settle();
    const linker = node.spawn(async (ctx) => {
      await ctx.receive((m) => m === 'go');
      ctx.link(gone);
      await ctx.receive(() => false);
    });
    probe.monitor(linker);
    node.send(linker, 'go');
    await probe.expectDown(linker, 'noproc');
  });

  it('signals noconnection on both sides when the node link is lost (item 44)', async () => {
    const clock = new TestClock();
    const net = createInMemoryNetwork();
    const a = createNode({ name: 'a', clock, transport: net.transport() });
    const b = createNode({ name: 'b', clock, transport: net.transport() });
    const onA = new TestProbe(a);
    const onB = new TestProbe(b, { trapExit: false });
    const remote = b.spawn(idle);
    onB.monitor(remote);
    onA.link(remote);
    await clock.settle();
    expect(b.processInfo(remote)?.links).toEqual([onA.pid]);
    net.partition('a', 'b');
    await onA.expectExit(remote, 'noconnection');
    await onB.expectDown(remote, 'noconnection');
  });
});
