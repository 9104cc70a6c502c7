import { describe, expect, it } from 'vitest';
import { createNode, defineActor, isWardenError, reply } from '../src/index.js';
import { TestClock, TestProbe } from '../src/testing/index.js';

describe('smoke', () => {
  it('calls a defineActor counter', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const counter = defineActor<number, number>({
      init: (n) => n,
      handleCall: (_r, _f, n) => reply(n, n),
      handleCast: (by: number, n) => n + by,
    });
    const pid = node.spawn(counter, { args: 40 });
    node.cast(pid, 2);
    expect(await node.call(pid, 'get')).toBe(42);
  });

  it('links and monitors report crashes', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const probe = new TestProbe(node);
    const pid = node.spawn(async (ctx) => {
      await ctx.receive();
      throw new Error('boom');
    });
    probe.link(pid);
    const ref = probe.monitor(pid);
    node.send(pid, 'go');
    const exit = await probe.expectExit(pid);
    expect(exit.reason).toMatchObject({ tag: 'error', message: 'boom' });
    const down = await probe.expectDown(ref);
    expect(down.reason).toMatchObject({ tag: 'error', message: 'boom' });
  });

  it('times out a call in virtual time', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const pid = node.spawn(async (ctx) => {
      await ctx.receive(() => false);
    });
    const p = node.call(pid, 'x', { timeout: 1000 });
    const caught = p.catch((e) => e);
    await clock.advance(999);
    await clock.advance(1);
    const err = await caught;
    expect(isWardenError(err, 'ERR_CALL_TIMEOUT')).toBe(true);
  });
});
