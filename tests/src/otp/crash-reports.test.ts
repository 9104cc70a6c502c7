import {
  type CrashReport,
  createNode,
  defineActor,
  type NodeEvent,
  type Pid,
  stop,
} from '@warden/core';
import { TestClock, TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';

// OTP's crash report (proc_lib / SASL): a crash of the process's own code, told apart from a
// death by an exit signal.

function setup() {
  const clock = new TestClock();
  const node = createNode({ name: 'a', clock });
  const events: NodeEvent[] = [];
  node.inspect((e) => events.push(e));
  return { clock, node, events, probe: new TestProbe(node) };
}

const crashes = (events: NodeEvent[]) =>
  events.filter((e): e is CrashReport => e.type === 'actor.crashed');
const exitOf = (events: NodeEvent[], pid: Pid) =>
  events.find((e) => e.type === 'actor.exited' && e.pid.key === pid.key);

/** Counts what it is sent; `'boom'` throws. */
const counter = defineActor<{ count: number; log: string }, undefined>({
  init: () => ({ count: 0, log: 'x'.repeat(5000) }),
  handleInfo: (message, state) => {
    if (message === 'boom') throw new Error('handler failed');
    if (message === 'stop') return stop('normal', state);
    return { ...state, count: state.count + 1 };
  },
});

describe('crash reports', () => {
  it('reports a handler crash with the reason, the stack, the last message and the state', async () => {
    const { clock, node, events } = setup();
    const pid = node.spawn(counter);
    node.send(pid, 'a');
    node.send(pid, 'boom');
    await clock.settle();
    const [report] = crashes(events);
    expect(report).toMatchObject({
      pid,
      phase: 'handler',
      reason: { tag: 'error', name: 'Error', message: 'handler failed' },
      lastMessage: '"boom"',
    });
    expect(report?.stack).toContain('handler failed');
    expect(report?.state?.startsWith('{"count":1,"log":"xxx')).toBe(true);
    expect(exitOf(events, pid)).toMatchObject({ cause: 'crash' });
  });

  it('bounds the described state and message at a few hundred characters', async () => {
    const { clock, node, events } = setup();
    const pid = node.spawn(counter);
    const huge = { payload: 'y'.repeat(100_000) };
    node.send(pid, 'boom');
    await clock.settle();
    const other = node.spawn(async (ctx) => {
      const m = await ctx.receive();
      throw new Error(`cannot take ${typeof m}`);
    });
    node.send(other, huge);
    await clock.settle();
    for (const report of crashes(events)) {
      expect(report.state === undefined || report.state.length <= 300).toBe(true);
      expect(report.lastMessage === undefined || report.lastMessage.length <= 300).toBe(true);
    }
    expect(crashes(events).find((r) => r.pid.key === pid.key)?.state).toHaveLength(300);
  });

  it('describes a state that JSON cannot hold (a cycle, a bigint) without failing', async () => {
    const { clock, node, events } = setup();
    const cyclic = defineActor<Record<string, unknown>, undefined>({
      init: () => {
        const state: Record<string, unknown> = { n: 1n };
        state.self = state;
        return state;
      },
      handleInfo: () => {
        throw new Error('no');
      },
    });
    const pid = node.spawn(cyclic);
    node.send(pid, 'go');
    await clock.settle();
    expect(crashes(events)[0]?.state).toBe('{"n":"1n","self":"[circular]"}');
  });

  it('reports a crash in init and in a process function, without a last message', async () => {
    const { clock, node, events } = setup();
    const badInit = defineActor<undefined, undefined>({
      init: () => {
        throw new TypeError('bad config');
      },
    });
    const a = node.spawn(badInit);
    const b = node.spawn(async () => {
      throw new RangeError('out of range');
    });
    await clock.settle();
    const [ra, rb] = [a, b].map((pid) => crashes(events).find((r) => r.pid.key === pid.key));
    expect(ra).toMatchObject({ phase: 'init', lastMessage: undefined, state: undefined });
    expect(ra?.reason).toMatchObject({ name: 'TypeError' });
    expect(rb).toMatchObject({ phase: 'function', lastMessage: undefined });
    expect(rb?.reason).toMatchObject({ name: 'RangeError' });
  });

  it('reports a throwing terminate as a crash that replaces the reason', async () => {
    const { clock, node, events } = setup();
    const pid = node.spawn(
      defineActor<number, undefined>({
        init: () => 7,
        handleInfo: (_m, state) => stop('shutdown', state),
        terminate: () => {
          throw new Error('cleanup failed');
        },
      }),
    );
    node.send(pid, 'stop');
    await clock.settle();
    expect(crashes(events)).toMatchObject([{ pid, phase: 'terminate', state: '7' }]);
    expect(exitOf(events, pid)).toMatchObject({
      reason: { tag: 'error', message: 'cleanup failed' },
      cause: 'crash',
    });
  });

  it('makes no crash report for a death by an exit signal, and says so on the exit', async () => {
    const { clock, node, events, probe } = setup();
    const linked = node.spawn(counter);
    const killed = node.spawn(counter);
    probe.link(linked);
    probe.trapExit(false);
    const upstream = { tag: 'error', name: 'Upstream', message: 'upstream failed' } as const;
    probe.exit(upstream);
    node.exit(killed, 'kill');
    await clock.settle();
    expect(crashes(events)).toEqual([]);
    expect(exitOf(events, linked)).toMatchObject({ reason: upstream, cause: 'signal' });
    expect(exitOf(events, killed)).toMatchObject({ reason: 'killed', cause: 'signal' });
    expect(exitOf(events, probe.pid)).toMatchObject({ reason: upstream, cause: 'self' });
  });

  it('tells an exit of its own making from a crash', async () => {
    const { clock, node, events } = setup();
    const pid = node.spawn(counter);
    node.send(pid, 'stop');
    const fn = node.spawn(async (ctx) => ctx.exit({ tag: 'shutdown', detail: 'done' }));
    await clock.settle();
    expect(crashes(events)).toEqual([]);
    expect(exitOf(events, pid)).toMatchObject({ reason: 'normal', cause: 'self' });
    expect(exitOf(events, fn)).toMatchObject({
      reason: { tag: 'shutdown', detail: 'done' },
      cause: 'self',
    });
  });

  it('says node-stopped for the processes a node stop ends', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const pid = node.spawn(counter);
    await clock.settle();
    const events: NodeEvent[] = [];
    node.inspect((e) => events.push(e));
    await node.stop();
    expect(exitOf(events, pid)).toMatchObject({ reason: 'shutdown', cause: 'node-stopped' });
  });

  it('costs nothing when nobody observes: the process still crashes the same way', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const probe = new TestProbe(node);
    const pid = node.spawn(counter);
    const ref = probe.monitor(pid);
    node.send(pid, 'boom');
    await probe.expectDown(ref, { tag: 'error', name: 'Error', message: 'handler failed' });
  });
});
