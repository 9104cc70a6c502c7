// Issue 5.6: the watchdog: heartbeats, a soft stop on silence, a kill after the grace period.
import {
  type ActorContext,
  createNode,
  ExitMessage,
  type Pid,
  startSupervisor,
  whichChildren,
} from '@warden/core';
import { TestClock, TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import {
  heartbeat,
  type ResilienceEvent,
  unwatch,
  Watchdog,
  watch,
  watched,
} from '../src/index.js';

function setup(timeoutMs = 1000, graceMs = 500) {
  const clock = new TestClock();
  const node = createNode({ name: 'dog', clock });
  const events: ResilienceEvent[] = [];
  const dog = node.spawn(Watchdog, {
    args: { timeoutMs, graceMs, observer: (e) => events.push(e) },
    name: 'watchdog',
  });
  return { clock, node, dog, events };
}

describe('watchdog: heartbeats', () => {
  it('leaves an actor that keeps beating alone', async () => {
    const { clock, node } = setup();
    const pid = node.spawn(async (ctx) => {
      for (let i = 0; i < 20; i++) {
        heartbeat(ctx, 'watchdog');
        await ctx.receive(() => false, { timeout: 900 }).catch(() => {});
      }
    });
    await clock.advance(10_000);
    expect(node.isAlive(pid)).toBe(true);
  });

  it('starts watching on the first beat, with one timer per timeout however often it beats', async () => {
    const { clock, node, dog, events } = setup();
    const pid = node.spawn(async (ctx) => {
      for (let i = 0; i < 100; i++) heartbeat(ctx, 'watchdog');
      await ctx.receive();
    });
    await clock.settle();
    expect(events.map((e) => e.type)).toEqual(['watchdog.watching']);
    expect((await watched(node, dog)).map((w) => w.pid.key)).toEqual([pid.key]);
    expect(clock.pendingTimers).toBe(1);
  });
});

describe('watchdog: silence (items 45, 46)', () => {
  it('sends a trappable shutdown first, so a silent actor can save its state', async () => {
    const { clock, node, events } = setup(1000, 500);
    const saved: unknown[] = [];
    const pid = node.spawn(
      async (ctx) => {
        heartbeat(ctx, 'watchdog');
        const stop = await ctx.receive((m) => m instanceof ExitMessage);
        saved.push((stop as ExitMessage).reason);
        ctx.exit('shutdown');
      },
      { trapExit: true },
    );
    const probe = new TestProbe(node);
    probe.monitor(pid);
    await clock.advance(1000);
    await probe.expectDown(pid, 'shutdown', { within: 0 });
    expect(saved).toEqual(['shutdown']);
    expect(events.map((e) => e.type)).toEqual(['watchdog.watching', 'watchdog.silent']);
    expect(events[1]).toMatchObject({ silentMs: 1000 });
    await clock.advance(1000);
    expect(events).toHaveLength(2); // no kill: it stopped in time
  });

  it('kills an actor that ignores the soft stop once the grace period is over (killed)', async () => {
    const { clock, node, events } = setup(1000, 500);
    const pid = node.spawn(
      async (ctx) => {
        heartbeat(ctx, 'watchdog');
        for (;;) await ctx.receive(); // traps the shutdown and carries on, silent
      },
      { trapExit: true },
    );
    const probe = new TestProbe(node);
    probe.monitor(pid);
    await clock.advance(1499);
    expect(node.isAlive(pid)).toBe(true);
    await clock.advance(1);
    await probe.expectDown(pid, 'killed', { within: 0 });
    expect(events.at(-1)).toMatchObject({ type: 'watchdog.killed', graceMs: 500 });
  });

  it('ignores a beat that comes after the soft stop', async () => {
    const { clock, node } = setup(1000, 500);
    const pid = node.spawn(
      async (ctx) => {
        heartbeat(ctx, 'watchdog');
        await ctx.receive((m) => m instanceof ExitMessage);
        for (;;) {
          heartbeat(ctx, 'watchdog');
          await ctx.receive(() => false, { timeout: 100 }).catch(() => {});
        }
      },
      { trapExit: true },
    );
    await clock.advance(1500);
    expect(node.isAlive(pid)).toBe(false);
  });

  it('forgets an actor that exits by itself, leaving no timer behind', async () => {
    const { clock, node, dog } = setup();
    const pid = node.spawn(async (ctx) => {
      heartbeat(ctx, 'watchdog');
      await ctx.receive();
    });
    await clock.settle();
    node.send(pid, 'bye');
    await clock.settle();
    expect(await watched(node, dog)).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('watches on request with its own timeout, and stops on unwatch', async () => {
    const { clock, node, dog } = setup(10_000);
    const pid = node.spawn(async (ctx) => {
      await ctx.receive();
    });
    expect(await watch(node, dog, pid, 200)).toBe(true);
    expect(await unwatch(node, dog, pid)).toBe(true);
    await clock.advance(1000);
    expect(node.isAlive(pid)).toBe(true);
    await watch(node, dog, pid, 200);
    await clock.advance(200);
    expect(node.isAlive(pid)).toBe(false);
  });
});

describe('watchdog under supervision (items 14, 45)', () => {
  it('lets the supervisor restart the stopped child, which the watchdog then watches anew', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'dog', clock });
    let hang = true;
    const sync = async (ctx: ActorContext) => {
      heartbeat(ctx, 'watchdog');
      if (hang) {
        hang = false;
        await ctx.receive(); // hangs: never beats again
      }
      for (;;) {
        heartbeat(ctx, 'watchdog');
        await ctx.receive(() => false, { timeout: 500 }).catch(() => {});
      }
    };
    const sup = (await startSupervisor(node, {
      intensity: 3,
      children: [
        {
          id: 'watchdog',
          start: {
            behaviour: Watchdog,
            args: { timeoutMs: 1000, graceMs: 500 },
            options: { name: 'watchdog' },
          },
        },
        { id: 'sync', start: { behaviour: sync } },
      ],
    })) as Pid;
    const before = (await whichChildren(node, sup))[1]?.pid as Pid;
    await clock.advance(1000); // silent: soft stop; not trapping, so it dies with shutdown
    const after = (await whichChildren(node, sup))[1]?.pid as Pid;
    expect(after.key).not.toBe(before.key);
    await clock.advance(10_000);
    expect(node.isAlive(after)).toBe(true);
  });

  it('picks its flock up from their next beats after it is restarted itself', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'dog', clock });
    const sup = (await startSupervisor(node, {
      children: [
        {
          id: 'watchdog',
          start: { behaviour: Watchdog, args: { timeoutMs: 1000 }, options: { name: 'watchdog' } },
        },
      ],
    })) as Pid;
    const pid = node.spawn(async (ctx) => {
      for (let i = 0; i < 5; i++) {
        heartbeat(ctx, 'watchdog');
        await ctx.receive(() => false, { timeout: 400 }).catch(() => {});
      }
      await ctx.receive(); // then goes silent
    });
    await clock.advance(100);
    node.exit(node.whereis('watchdog') as Pid, 'kill');
    await clock.settle();
    const dog = (await whichChildren(node, sup))[0]?.pid as Pid;
    await clock.advance(500);
    expect((await watched(node, dog)).map((w) => w.pid.key)).toEqual([pid.key]);
    await clock.advance(5000);
    expect(node.isAlive(pid)).toBe(false);
  });
});

describe('watchdog: robustness', () => {
  it('ignores malformed messages and calls instead of crashing', async () => {
    const { clock, node, dog } = setup();
    node.send(dog, { $watchdog: 'beat', pid: 'not a pid' });
    node.cast(dog, { $watchdog: 'kill' });
    expect(await node.call(dog, { $watchdog: 'watch', pid: 42 })).toBe(false);
    await clock.settle();
    expect(node.isAlive(dog)).toBe(true);
    expect(await watched(node, dog)).toEqual([]);
  });
});
