import { describe, expect, it } from 'vitest';
import { type ActorContext, createNode, type Ref } from '../src/index.js';
import { TestClock, TestProbe } from '../src/testing/index.js';

function setup() {
  const clock = new TestClock();
  const node = createNode({ name: 'a', clock });
  return { clock, node, probe: new TestProbe(node) };
}

describe('sendAfter / cancelTimer', () => {
  it('delivers the message exactly after the delay on the node clock', async () => {
    const { clock, node, probe } = setup();
    node.sendAfter(probe.pid, 'tick', 1000);
    await clock.advance(999);
    expect(probe.messages).toEqual([]);
    await clock.advance(1);
    expect(probe.messages).toEqual(['tick']);
  });

  it('fires timers in due order, and same-instant timers in creation order', async () => {
    const { clock, node, probe } = setup();
    node.sendAfter(probe.pid, 'c', 300);
    node.sendAfter(probe.pid, 'a', 100);
    node.sendAfter(probe.pid, 'b1', 200);
    node.sendAfter(probe.pid, 'b2', 200);
    await clock.advance(300);
    expect(probe.messages).toEqual(['a', 'b1', 'b2', 'c']);
  });

  it('cancels a pending timer, reporting whether it was pending', async () => {
    const { clock, node, probe } = setup();
    const ref = node.sendAfter(probe.pid, 'never', 500);
    expect(clock.pendingTimers).toBe(1);
    expect(node.cancelTimer(ref)).toBe(true);
    expect(node.cancelTimer(ref)).toBe(false);
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(1000);
    expect(probe.messages).toEqual([]);
  });

  it('reports false when cancelling a timer that already fired', async () => {
    const { clock, node, probe } = setup();
    const ref = node.sendAfter(probe.pid, 'once', 10);
    await clock.advance(10);
    expect(probe.messages).toEqual(['once']);
    expect(node.cancelTimer(ref)).toBe(false);
  });

  it('lets a process cancel its own timer', async () => {
    const { clock, node, probe } = setup();
    node.spawn(async (ctx) => {
      const keep = ctx.sendAfter(probe.pid, 'kept', 100);
      const drop = ctx.sendAfter(probe.pid, 'dropped', 100);
      ctx.send(probe.pid, { cancelled: ctx.cancelTimer(drop), other: keep !== drop });
      await ctx.receive(() => false);
    });
    await clock.advance(100);
    expect(probe.messages).toEqual([{ cancelled: true, other: true }, 'kept']);
  });

  it('cancels the timers of a process when it exits', async () => {
    const { clock, node, probe } = setup();
    const pid = node.spawn(async (ctx: ActorContext) => {
      ctx.sendAfter(probe.pid, 'from dead process', 1000);
      ctx.sendAfter(ctx.self, 'to self', 1000);
      await ctx.receive((m) => m === 'stop');
    });
    await clock.settle();
    expect(clock.pendingTimers).toBe(2);
    node.send(pid, 'stop');
    await clock.settle();
    expect(node.isAlive(pid)).toBe(false);
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(2000);
    expect(probe.messages).toEqual([]);
    expect(node.deadLetters.count).toBe(0);
  });

  it('cancels the timers of a killed process too', async () => {
    const { clock, node, probe } = setup();
    const pid = node.spawn(async (ctx) => {
      ctx.sendAfter(probe.pid, 'x', 1000);
      await ctx.receive(() => false);
    });
    await clock.settle();
    node.exit(pid, 'kill');
    await clock.advance(1000);
    expect(probe.messages).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps a node-level timer when its target exits, and counts its message as noproc', async () => {
    const { clock, node } = setup();
    const pid = node.spawn(async (ctx) => {
      await ctx.receive((m) => m === 'stop');
    });
    node.sendAfter(pid, 'late', 100);
    node.send(pid, 'stop');
    await clock.advance(100);
    expect(node.deadLetters.countOf('noproc')).toBe(1);
  });

  it('resolves a registered name when the timer fires', async () => {
    const { clock, node, probe } = setup();
    node.sendAfter('later', 'hello', 100);
    await clock.advance(50);
    node.spawn(
      async (ctx) => {
        ctx.send(probe.pid, await ctx.receive());
      },
      { name: 'later' },
    );
    await clock.advance(50);
    expect(probe.messages).toEqual(['hello']);
  });

  it('returns distinct refs for distinct timers', () => {
    const { node, probe } = setup();
    const refs: Ref[] = [];
    for (let i = 0; i < 10; i++) refs.push(node.sendAfter(probe.pid, i, i));
    expect(new Set(refs).size).toBe(10);
  });

  it('cancels every timer when the node stops', async () => {
    const { clock, node } = setup();
    node.sendAfter('x', 1, 100);
    node.sendAfter('y', 2, 200);
    await node.stop();
    expect(clock.pendingTimers).toBe(0);
  });
});
