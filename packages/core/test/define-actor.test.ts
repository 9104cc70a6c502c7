import { describe, expect, it } from 'vitest';
import {
  type ActorSpec,
  createNode,
  defineActor,
  type ExitReason,
  IGNORE,
  isWardenError,
  type Pid,
  reply,
  shutdownWith,
  stop,
} from '../src/index.js';
import { TestClock, TestProbe } from '../src/testing/index.js';

function setup() {
  const clock = new TestClock();
  const node = createNode({ name: 'a', clock });
  return { clock, node, probe: new TestProbe(node) };
}

/** An actor whose terminate reports `{ terminate: reason, state }` to `to`. */
function reporting(to: Pid, spec: ActorSpec<number, void> = {}) {
  return defineActor<number, void>({
    init: () => 1,
    handleCall: (_r, _f, n) => reply(n, n),
    ...spec,
    terminate: (reason, state, ctx) => ctx.send(to, { terminate: reason, state }),
  });
}

describe('defineActor init', () => {
  it('starts with the state init returns, sync or async', async () => {
    const { node } = setup();
    const sync = defineActor<number, number>({
      init: (n) => n * 2,
      handleCall: (_r, _f, s) => reply(s, s),
    });
    const later = defineActor<number, number>({
      init: async (n) => n + 1,
      handleCall: (_r, _f, s) => reply(s, s),
    });
    const started = await node.start(sync, { args: 21 });
    expect(started).not.toBe(IGNORE);
    expect(await node.call(started as Pid, 'get')).toBe(42);
    expect(await node.call(node.spawn(later, { args: 41 }), 'get')).toBe(42);
  });

  it('holds messages sent during an async init until init has finished', async () => {
    const { clock, node, probe } = setup();
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const pid = node.spawn(
      defineActor<string, void>({
        init: async () => {
          await gate;
          return 'ready';
        },
        handleInfo: (m, s, ctx) => {
          ctx.send(probe.pid, [s, m]);
          return s;
        },
      }),
    );
    node.send(pid, 'early');
    await clock.settle();
    expect(probe.messages).toEqual([]);
    open();
    await clock.settle();
    expect(probe.messages).toEqual([['ready', 'early']]);
  });

  it('fails the start with ERR_START_FAILED carrying the error when init throws', async () => {
    const { node } = setup();
    const bad = defineActor({
      init: () => {
        throw new Error('no config');
      },
    });
    const err = await node.start(bad).catch((e) => e);
    expect(isWardenError(err, 'ERR_START_FAILED')).toBe(true);
    expect(err.reason).toMatchObject({ tag: 'error', message: 'no config' });
    expect(node.processes()).toHaveLength(1); // only the probe
  });

  it('fails the start with the given reason when init returns stop', async () => {
    const { node, probe } = setup();
    const err = await node
      .start(reporting(probe.pid, { init: () => stop(shutdownWith('nope'), 0) }))
      .catch((e) => e);
    expect(err.reason).toEqual(shutdownWith('nope'));
    await probe.expectNoMessage(100); // terminate does not run for a failed init
  });

  it('resolves with IGNORE and exits normal when init returns IGNORE', async () => {
    const { clock, node } = setup();
    const ignored = defineActor({ init: () => IGNORE });
    expect(await node.start(ignored)).toBe(IGNORE);
    await clock.settle();
    expect(node.processes()).toHaveLength(1); // only the probe
  });
});

describe('defineActor terminate', () => {
  it('runs terminate with the reason and state when a handler returns stop', async () => {
    const { node, probe } = setup();
    const pid = node.spawn(
      reporting(probe.pid, {
        handleCast: (_m, n) => stop(shutdownWith('done'), n + 1),
      }),
    );
    probe.monitor(pid);
    node.cast(pid, 'stop');
    expect(await probe.expectMessage()).toEqual({ terminate: shutdownWith('done'), state: 2 });
    await probe.expectDown(pid, shutdownWith('done'));
  });

  it('runs terminate with an error reason when a handler throws', async () => {
    const { node, probe } = setup();
    const pid = node.spawn(
      reporting(probe.pid, {
        handleInfo: () => {
          throw new Error('boom');
        },
      }),
    );
    node.send(pid, 'crash');
    const m = (await probe.expectMessage()) as { terminate: ExitReason; state: number };
    expect(m.terminate).toMatchObject({ tag: 'error', message: 'boom' });
    expect(m.state).toBe(1);
  });

  it('runs terminate when an async handler rejects', async () => {
    const { node, probe } = setup();
    const pid = node.spawn(
      reporting(probe.pid, {
        handleInfo: async () => {
          throw new Error('async boom');
        },
      }),
    );
    node.send(pid, 'crash');
    const m = (await probe.expectMessage()) as { terminate: ExitReason };
    expect(m.terminate).toMatchObject({ tag: 'error', message: 'async boom' });
  });

  it('replaces the exit reason when terminate itself throws', async () => {
    const { node, probe } = setup();
    const pid = node.spawn(
      defineActor<number, void>({
        init: () => 0,
        handleCast: (_m, n) => stop('normal', n),
        terminate: () => {
          throw new Error('cleanup failed');
        },
      }),
    );
    probe.monitor(pid);
    node.cast(pid, 'stop');
    const down = await probe.expectDown(pid);
    expect(down.reason).toMatchObject({ tag: 'error', message: 'cleanup failed' });
  });

  it('waits for an async terminate before the process exits', async () => {
    const { clock, node, probe } = setup();
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const pid = node.spawn(
      defineActor<number, void>({
        init: () => 0,
        handleCast: (_m, n) => stop('shutdown', n),
        terminate: async () => {
          await gate;
        },
      }),
    );
    probe.monitor(pid);
    node.cast(pid, 'stop');
    await clock.settle();
    expect(node.isAlive(pid)).toBe(true);
    open();
    await probe.expectDown(pid, 'shutdown');
  });

  it('runs terminate on a parent shutdown only when trapping exits (item 48)', async () => {
    const { node, probe } = setup();
    for (const trap of [true, false]) {
      const parent = node.spawn(async (ctx) => {
        const child = ctx.spawnLink(reporting(probe.pid), { trapExit: trap });
        ctx.send(probe.pid, child);
        await ctx.receive((m) => m === 'go');
        ctx.exit('shutdown');
      });
      const child = (await probe.expectMessage()) as Pid;
      probe.monitor(child);
      node.send(parent, 'go');
      await probe.expectDown(child, 'shutdown');
      const ran = probe.messages.some((m) => (m as { terminate?: unknown }).terminate);
      expect(ran).toBe(trap);
      probe.clear();
    }
  });

  it('never runs terminate on kill, even when trapping exits (item 48)', async () => {
    const { clock, node, probe } = setup();
    const pid = node.spawn(reporting(probe.pid), { trapExit: true });
    probe.monitor(pid);
    await clock.settle();
    node.exit(pid, 'kill');
    await probe.expectDown(pid, 'killed');
    await probe.expectNoMessage(1000);
  });

  it('does not run terminate when the node stops', async () => {
    const { clock, node } = setup();
    const calls: unknown[] = [];
    node.spawn(defineActor<number, void>({ init: () => 0, terminate: (r) => void calls.push(r) }), {
      trapExit: true,
    });
    await clock.settle();
    await node.stop();
    await clock.settle();
    expect(calls).toEqual([]);
  });
});

describe('regressions', () => {
  it('handles a message sent before its first turn when it has no init', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'r', clock });
    const seen: unknown[] = [];
    const pid = node.spawn(
      defineActor({
        handleInfo: (message, state) => {
          seen.push(message);
          return state;
        },
      }),
    );
    node.send(pid, 'early');
    await clock.settle();
    expect(seen).toEqual(['early']);
  });
});
