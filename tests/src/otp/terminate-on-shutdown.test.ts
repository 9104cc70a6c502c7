import {
  type ActorContext,
  createNode,
  defineActor,
  type ExitReason,
  isAbnormal,
  type Pid,
  type Shutdown,
  shutdownWith,
  startSupervisor,
  terminateChild,
  whichChildren,
} from '@warden/core';
import { TestClock, TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';

// docs/semantics.md item 48: gen_server terminate/2 on a parent-ordered shutdown.

function setup() {
  const clock = new TestClock();
  const node = createNode({ name: 'a', clock });
  return { clock, node, probe: new TestProbe(node) };
}

/** A server that reports each terminate call to `report`. */
function reportingServer(report: Pid, trap: boolean) {
  return defineActor<string, void>({
    init: (_args, ctx) => {
      if (trap) ctx.trapExit(true);
      return 'state';
    },
    handleInfo: (_m, s) => s,
    terminate: (reason, state, ctx) => ctx.send(report, { terminate: reason, state }),
  });
}

/** A parent that links a server child, tells the probe its pid, then exits with `reason` on 'go'. */
function parentOf(server: ReturnType<typeof reportingServer>, probe: Pid, reason: ExitReason) {
  return async (ctx: ActorContext) => {
    const child = ctx.spawnLink(server);
    ctx.send(probe, { child });
    await ctx.receive((m) => m === 'go');
    ctx.exit(reason);
  };
}

async function startUnder(
  node: ReturnType<typeof createNode>,
  server: unknown,
  shutdown: Shutdown,
) {
  const sup = (await startSupervisor(node, {
    children: [{ id: 'w', start: { behaviour: server as never }, shutdown }],
  })) as Pid;
  const [row] = await whichChildren(node, sup);
  return { sup, child: row?.pid as Pid };
}

describe('gen_server terminate on a parent-ordered shutdown (item 48)', () => {
  it('runs terminate when the parent exits and the server traps exits (item 48)', async () => {
    const { node, probe } = setup();
    const parent = node.spawn(parentOf(reportingServer(probe.pid, true), probe.pid, 'shutdown'));
    const { child } = (await probe.expectMessage()) as { child: Pid };
    probe.monitor(child);
    node.send(parent, 'go');
    expect(await probe.expectMessage()).toEqual({ terminate: 'shutdown', state: 'state' });
    await probe.expectDown(child, 'shutdown');
  });

  it('does not run terminate when the parent exits and the server does not trap (item 48)', async () => {
    const { node, probe } = setup();
    const parent = node.spawn(parentOf(reportingServer(probe.pid, false), probe.pid, 'shutdown'));
    const { child } = (await probe.expectMessage()) as { child: Pid };
    probe.monitor(child);
    node.send(parent, 'go');
    await probe.expectDown(child, 'shutdown');
    await probe.expectNoMessage(1000);
  });

  it('runs terminate with the parent reason, whatever it is (item 48)', async () => {
    const { node, probe } = setup();
    const reason = shutdownWith('maintenance');
    const parent = node.spawn(parentOf(reportingServer(probe.pid, true), probe.pid, reason));
    const { child } = (await probe.expectMessage()) as { child: Pid };
    probe.monitor(child);
    node.send(parent, 'go');
    expect(await probe.expectMessage()).toEqual({ terminate: reason, state: 'state' });
    await probe.expectDown(child, reason);
  });

  it('runs terminate under a supervisor timed shutdown when the child traps exits (item 48)', async () => {
    const { node, probe } = setup();
    const { sup, child } = await startUnder(node, reportingServer(probe.pid, true), 1000);
    probe.monitor(child);
    expect(await terminateChild(node, sup, 'w')).toEqual({ ok: true });
    expect(await probe.expectMessage()).toEqual({ terminate: 'shutdown', state: 'state' });
    await probe.expectDown(child, 'shutdown');
  });

  it('does not run terminate under a supervisor timed shutdown without trapping (item 48)', async () => {
    const { node, probe } = setup();
    const { sup, child } = await startUnder(node, reportingServer(probe.pid, false), 1000);
    probe.monitor(child);
    expect(await terminateChild(node, sup, 'w')).toEqual({ ok: true });
    await probe.expectDown(child, 'shutdown');
    await probe.expectNoMessage(1000);
  });

  it('never runs terminate with brutal_kill, even when the child traps exits (item 48)', async () => {
    const { node, probe } = setup();
    const { sup, child } = await startUnder(node, reportingServer(probe.pid, true), 'brutal_kill');
    probe.monitor(child);
    expect(await terminateChild(node, sup, 'w')).toEqual({ ok: true });
    await probe.expectDown(child, 'killed');
    await probe.expectNoMessage(1000);
  });

  it('never runs terminate on exit(pid, kill) (item 48)', async () => {
    const { clock, node, probe } = setup();
    const pid = node.spawn(reportingServer(probe.pid, true));
    probe.monitor(pid);
    await clock.settle();
    node.exit(pid, 'kill');
    await probe.expectDown(pid, 'killed');
    await probe.expectNoMessage(1000);
  });

  it('routes a trapped EXIT from a process other than the parent to handleInfo (item 48)', async () => {
    const { clock, node, probe } = setup();
    const server = defineActor<number, void>({
      init: (_a, ctx) => {
        ctx.trapExit(true);
        return 0;
      },
      handleInfo: (m, n, ctx) => {
        ctx.send(probe.pid, { info: m });
        return n + 1;
      },
      terminate: (reason, _s, ctx) => ctx.send(probe.pid, { terminate: reason }),
    });
    const pid = node.spawn(server);
    await clock.settle();
    node.exit(pid, 'shutdown'); // from the node's system process, not the parent
    const { info } = (await probe.expectMessage()) as { info: { reason: ExitReason } };
    expect(info.reason).toBe('shutdown');
    expect(node.isAlive(pid)).toBe(true);
  });

  it('classifies normal, shutdown and {shutdown, _} as clean and every other reason as abnormal (item 48)', () => {
    const clean: ExitReason[] = ['normal', 'shutdown', shutdownWith({ any: 1 })];
    const abnormal: ExitReason[] = [
      'kill',
      'killed',
      'noproc',
      'noconnection',
      { tag: 'error', name: 'Error', message: 'x' },
    ];
    expect(clean.map(isAbnormal)).toEqual([false, false, false]);
    expect(abnormal.map(isAbnormal)).toEqual([true, true, true, true, true]);
  });
});
