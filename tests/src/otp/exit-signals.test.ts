import { createNode, ExitMessage, type ExitReason, type Pid, shutdownWith } from '@warden/core';
import { TestClock, TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { exitOnCommand, idle } from '../support/process-fixtures.js';

// docs/semantics.md section 10, items 45-47 (item 44: links.test.ts; 48: terminate-on-shutdown.test.ts).

function setup() {
  const clock = new TestClock();
  const node = createNode({ name: 'a', clock });
  return { clock, node, probe: new TestProbe(node) };
}

describe('receiving exit signals without trapping (item 45)', () => {
  it('drops a normal exit signal arriving through a link (item 45)', async () => {
    const { clock, node } = setup();
    const target = node.spawn(exitOnCommand);
    const linked = node.spawn(async (ctx) => {
      ctx.link(target);
      await ctx.receive(() => false);
    });
    await clock.settle();
    node.send(target, { exit: 'normal' });
    await clock.settle();
    expect(node.isAlive(target)).toBe(false);
    expect(node.isAlive(linked)).toBe(true);
  });

  it('drops exit(pid, normal) sent by another process (item 45)', async () => {
    const { clock, node, probe } = setup();
    const target = node.spawn(idle);
    probe.exit(target, 'normal');
    node.exit(target, 'normal');
    await clock.settle();
    expect(node.isAlive(target)).toBe(true);
  });

  it('kills the receiver with the same reason as the linked process (item 45)', async () => {
    const { clock, node, probe } = setup();
    const reasons: ExitReason[] = [
      'shutdown',
      shutdownWith('detail'),
      'noproc',
      { tag: 'error', name: 'Error', message: 'boom' },
    ];
    for (const reason of reasons) {
      const target = node.spawn(exitOnCommand);
      const linked = node.spawn(async (ctx) => {
        ctx.link(target);
        await ctx.receive(() => false);
      });
      probe.monitor(linked);
      await clock.settle();
      node.send(target, { exit: reason });
      await probe.expectDown(linked, reason);
    }
  });

  it('kills the receiver of exit(pid, reason) with that same reason (item 45)', async () => {
    const { node, probe } = setup();
    const target = node.spawn(idle);
    probe.monitor(target);
    node.exit(target, shutdownWith('told'));
    await probe.expectDown(target, shutdownWith('told'));
  });

  it('turns exit(pid, kill) into killed, which no process can trap (items 45-46)', async () => {
    const { node, probe } = setup();
    const plain = node.spawn(idle);
    const trapping = node.spawn(idle, { trapExit: true });
    probe.monitor(plain);
    probe.monitor(trapping);
    node.exit(plain, 'kill');
    probe.exit(trapping, 'kill');
    await probe.expectDown(plain, 'killed');
    await probe.expectDown(trapping, 'killed');
  });

  it('does not turn kill arriving through a link into killed (item 45)', async () => {
    const { clock, node, probe } = setup();
    const target = node.spawn(exitOnCommand);
    const linked = node.spawn(async (ctx) => {
      ctx.link(target);
      await ctx.receive(() => false);
    });
    probe.monitor(target);
    probe.monitor(linked);
    await clock.settle();
    node.send(target, { exit: 'kill' });
    await probe.expectDown(target, 'kill');
    await probe.expectDown(linked, 'kill');
  });

  it('lets a trapping process trap kill arriving through a link (item 45)', async () => {
    const { clock, node, probe } = setup();
    const target = node.spawn(exitOnCommand);
    probe.link(target);
    node.send(target, { exit: 'kill' });
    await probe.expectExit(target, 'kill');
    await clock.settle();
    expect(node.isAlive(probe.pid)).toBe(true);
  });

  it('propagates killed through a link as an ordinary reason (item 45)', async () => {
    const { clock, node, probe } = setup();
    const victim = node.spawn(idle);
    const linked = node.spawn(async (ctx) => {
      ctx.link(victim);
      await ctx.receive(() => false);
    });
    probe.link(victim);
    probe.monitor(linked);
    await clock.settle();
    node.exit(victim, 'kill');
    await probe.expectExit(victim, 'killed');
    await probe.expectDown(linked, 'killed');
  });
});

describe('receiving exit signals while trapping (item 46)', () => {
  it('turns a link signal into the message ExitMessage { from, reason } (item 46)', async () => {
    const { node, probe } = setup();
    const target = node.spawn(exitOnCommand);
    probe.link(target);
    node.send(target, { exit: shutdownWith(1) });
    const exit = await probe.expectExit(target);
    expect(exit).toBeInstanceOf(ExitMessage);
    expect(exit.from).toEqual(target);
    expect(exit.reason).toEqual(shutdownWith(1));
  });

  it('turns exit(pid, reason), normal included, into a message (item 46)', async () => {
    const { clock, node, probe } = setup();
    const sender = node.spawn(async (ctx) => {
      ctx.exit(probe.pid, 'normal');
      ctx.exit(probe.pid, 'shutdown');
      await ctx.receive(() => false);
    });
    await probe.expectExit(sender, 'normal');
    await probe.expectExit(sender, 'shutdown');
    await clock.settle();
    expect(node.isAlive(probe.pid)).toBe(true);
  });

  it('reports the previous flag from trapExit and stops trapping when turned off (item 46)', async () => {
    const { clock, node, probe } = setup();
    let seen: boolean[] = [];
    const pid = node.spawn(async (ctx) => {
      seen = [ctx.trapExit(true), ctx.trapExit(false)];
      await ctx.receive(() => false);
    });
    probe.monitor(pid);
    await clock.settle();
    expect(seen).toEqual([false, true]);
    expect(node.processInfo(pid)?.trapExit).toBe(false);
    node.exit(pid, 'shutdown');
    await probe.expectDown(pid, 'shutdown');
  });
});

describe('exit(self(), normal) (item 47)', () => {
  it('terminates the caller on exit(self, normal) (item 47)', async () => {
    const { node, probe } = setup();
    let after = false;
    const pid: Pid = node.spawn(async (ctx) => {
      await ctx.receive((m) => m === 'go');
      ctx.exit(ctx.self, 'normal');
      await ctx.receive(() => false);
      after = true;
    });
    probe.monitor(pid);
    node.send(pid, 'go');
    await probe.expectDown(pid, 'normal');
    expect(after).toBe(false);
  });

  it('terminates a process on exit(normal) and runs nothing after it (item 47)', async () => {
    const { node, probe } = setup();
    let after = false;
    const pid = node.spawn(async (ctx) => {
      ctx.exit('normal');
      after = true;
    });
    probe.link(pid);
    await probe.expectExit(pid, 'normal');
    expect(after).toBe(false);
  });
});
