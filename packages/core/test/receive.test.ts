import { describe, expect, it } from 'vitest';
import { type ActorContext, createNode, isWardenError } from '../src/index.js';
import { TestClock, TestProbe } from '../src/testing/index.js';

function setup() {
  const clock = new TestClock();
  const node = createNode({ name: 'a', clock });
  return { clock, node, probe: new TestProbe(node) };
}

describe('selective receive', () => {
  it('scans from the oldest message and leaves unmatched ones in order', async () => {
    const { node, probe } = setup();
    const pid = node.spawn(async (ctx) => {
      await ctx.receive((m) => m === 'go');
      const evens: unknown[] = [];
      for (let i = 0; i < 3; i++) evens.push(await ctx.receive((m) => (m as number) % 2 === 0));
      const odds: unknown[] = [];
      for (let i = 0; i < 3; i++) odds.push(await ctx.receive());
      ctx.send(probe.pid, { evens, odds });
    });
    for (const m of [1, 2, 3, 4, 5, 6]) node.send(pid, m);
    node.send(pid, 'go');
    expect(await probe.expectMessage()).toEqual({ evens: [2, 4, 6], odds: [1, 3, 5] });
  });

  it('polls with timeout 0 and no match: takes the oldest message, or rejects at once', async () => {
    const { clock, node, probe } = setup();
    const pid = node.spawn(async (ctx) => {
      await ctx.receive((m) => m === 'go');
      const first = await ctx.receive(undefined, { timeout: 0 });
      const empty = await ctx.receive(undefined, { timeout: 0 }).catch((e) => e.code);
      ctx.send(probe.pid, [first, empty, ctx.now()]);
    });
    node.send(pid, 'only');
    node.send(pid, 'go');
    await clock.settle();
    expect(probe.messages).toEqual([['only', 'ERR_RECEIVE_TIMEOUT', 0]]);
  });

  it('rejects with ERR_RECEIVE_TIMEOUT exactly at the timeout, and a later match stays queued', async () => {
    const { clock, node, probe } = setup();
    const pid = node.spawn(async (ctx: ActorContext) => {
      const err = await ctx.receive((m) => m === 'x', { timeout: 1000 }).catch((e) => e);
      ctx.send(probe.pid, { timedOut: isWardenError(err, 'ERR_RECEIVE_TIMEOUT'), at: ctx.now() });
      await ctx.receive((m) => m === 'check');
      ctx.send(probe.pid, await ctx.receive((m) => m === 'x', { timeout: 0 }));
    });
    await clock.advance(999);
    expect(probe.messages).toEqual([]);
    await clock.advance(1);
    expect(probe.messages).toEqual([{ timedOut: true, at: 1000 }]);
    node.send(pid, 'x');
    node.send(pid, 'check');
    await clock.settle();
    expect(probe.messages).toEqual([{ timedOut: true, at: 1000 }, 'x']);
  });

  it('clears the receive timer when a match arrives in time', async () => {
    const { clock, node, probe } = setup();
    const pid = node.spawn(async (ctx) => {
      ctx.send(probe.pid, await ctx.receive((m) => m === 'x', { timeout: 1000 }));
      await ctx.receive(() => false);
    });
    await clock.advance(500);
    node.send(pid, 'x');
    await clock.settle();
    expect(probe.messages).toEqual(['x']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('waits for ever without a timeout, or with Infinity', async () => {
    const { clock, node, probe } = setup();
    const pid = node.spawn(async (ctx) => {
      ctx.send(probe.pid, await ctx.receive(undefined, { timeout: Number.POSITIVE_INFINITY }));
    });
    await clock.advance(365 * 24 * 3600_000);
    expect(node.isAlive(pid)).toBe(true);
    expect(clock.pendingTimers).toBe(0);
    node.send(pid, 'finally');
    await clock.settle();
    expect(probe.messages).toEqual(['finally']);
  });

  it('rejects a second concurrent receive with ERR_INVALID_ARGUMENT', async () => {
    const { clock, node, probe } = setup();
    node.spawn(async (ctx) => {
      void ctx.receive(() => false);
      const err = await ctx.receive().catch((e) => e);
      ctx.send(probe.pid, isWardenError(err, 'ERR_INVALID_ARGUMENT'));
    });
    await clock.settle();
    expect(probe.messages).toEqual([true]);
  });

  it('ends a process with an error reason when an awaited receive times out uncaught', async () => {
    const { node, probe } = setup();
    const pid = node.spawn(async (ctx) => {
      await ctx.receive(undefined, { timeout: 10 });
    });
    probe.monitor(pid);
    const down = await probe.expectDown(pid);
    expect(down.reason).toMatchObject({ tag: 'error', code: 'ERR_RECEIVE_TIMEOUT' });
  });
});
