import {
  type ActorContext,
  createNode,
  defineActor,
  isWardenError,
  type NodeEvent,
  type Pid,
  type WardenError,
} from '@warden/core';
import { TestClock, TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';

// OTP's start option {timeout, T} (proc_lib:start_link/5, gen_server:start_link/4).

function setup() {
  const clock = new TestClock();
  const node = createNode({ name: 'a', clock });
  const events: NodeEvent[] = [];
  node.inspect((e) => events.push(e));
  return { clock, node, events };
}

/** An init that waits for a message that never comes. */
const stuck = defineActor<string, undefined>({
  init: async (_args, ctx) => {
    await ctx.receive((m) => m === 'never sent');
    return 'ready';
  },
});

/** An init that takes `args` ms on the node's clock. */
const slow = defineActor<string, number>({
  init: async (ms, ctx) => {
    ctx.sendAfter(ctx.self, 'tick', ms);
    await ctx.receive((m) => m === 'tick');
    return 'ready';
  },
});

async function rejection(promise: Promise<unknown>): Promise<WardenError> {
  try {
    await promise;
  } catch (error) {
    return error as WardenError;
  }
  throw new Error('expected a rejection');
}

describe('start timeout', () => {
  it('kills an init that does not return in time and rejects with ERR_START_TIMEOUT', async () => {
    const { clock, node, events } = setup();
    const started = node.start(stuck, { name: 'late', timeout: 1000 });
    const outcome = rejection(started);
    await clock.advance(999);
    expect(node.whereis('late')).toBeDefined();
    await clock.advance(1);
    const error = await outcome;
    expect(isWardenError(error, 'ERR_START_TIMEOUT')).toBe(true);
    expect(error.reason).toBe('killed');
    const exited = events.find((e) => e.type === 'actor.exited');
    expect(exited).toMatchObject({ reason: 'killed', cause: 'signal' });
  });

  it('leaves no name registered after a start timeout', async () => {
    const { clock, node } = setup();
    const outcome = rejection(node.start(stuck, { name: 'late', timeout: 10 }));
    await clock.advance(10);
    await outcome;
    expect(node.whereis('late')).toBeUndefined();
    expect(node.registered()).toEqual([]);
    expect(node.processes()).toEqual([]);
    // The name is free again for the next start.
    const again = node.start(slow, { name: 'late', args: 5, timeout: 10 });
    await clock.advance(5);
    expect(node.whereis('late')).toEqual(await again);
  });

  it('resolves a start whose init returns within the timeout, and cancels its timer', async () => {
    const { clock, node } = setup();
    const started = node.start(slow, { args: 50, timeout: 100 });
    await clock.advance(50);
    const pid = (await started) as Pid;
    expect(node.isAlive(pid)).toBe(true);
    expect(clock.nextTimerIn()).toBeUndefined();
    await clock.advance(1000);
    expect(node.isAlive(pid)).toBe(true);
  });

  it('unlinks the caller of a timed-out startLink, which survives', async () => {
    const { clock, node } = setup();
    const probe = new TestProbe(node);
    const caller = node.spawn(async (ctx: ActorContext) => {
      try {
        await ctx.startLink(stuck, { timeout: 20 });
      } catch (error) {
        ctx.send(probe.pid, {
          code: (error as WardenError).code,
          links: ctx.node.processInfo(ctx.self)?.links,
        });
      }
      await ctx.receive((m) => m === 'never sent');
    });
    await clock.advance(20);
    const report = await probe.expectMessage<{ code: string; links: Pid[] }>();
    expect(report).toEqual({ code: 'ERR_START_TIMEOUT', links: [] });
    expect(node.isAlive(caller)).toBe(true);
  });

  it('rejects a bad timeout before spawning anything', async () => {
    const { node } = setup();
    for (const timeout of [-1, Number.NaN, '5' as unknown as number]) {
      const error = await rejection(node.start(stuck, { name: 'x', timeout }));
      expect(isWardenError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
      expect(error.field).toBe('timeout');
    }
    expect(node.processes()).toEqual([]);
    expect(node.registered()).toEqual([]);
  });
});
