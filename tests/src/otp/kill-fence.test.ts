import {
  type ActorContext,
  createNode,
  defineActor,
  isWardenError,
  type Pid,
  reply,
  startSupervisor,
  stop,
  terminateChild,
  type WardenError,
  whichChildren,
} from '@warden/core';
import { TestClock, TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';

// docs/semantics.md "JavaScript adaptations": kill is a fence; delivery is at-most-once, ordered
// per pair, and whatever is dropped locally is a counted dead letter.

function setup() {
  const clock = new TestClock();
  const node = createNode({ name: 'a', clock });
  return { clock, node, probe: new TestProbe(node) };
}

/** A promise the test resolves by hand: the "still running" part of a handler. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** A server whose handleCall hangs on `g`, then tries to reply, send and spawn. */
function stuckServer(g: ReturnType<typeof gate>, probe: Pid, seen: { signal?: AbortSignal }) {
  return defineActor<null, void>({
    init: () => null,
    handleCall: async (_req, _from, s, ctx) => {
      seen.signal = ctx.signal;
      await g.opened;
      ctx.send(probe, 'late send');
      ctx.spawn(async (c: ActorContext) => {
        c.send(probe, 'child ran');
      });
      return reply('late reply', s);
    },
  });
}

describe('kill is a fence (JavaScript adaptations)', () => {
  it('marks a killed process dead at once, even mid-handler', async () => {
    const { clock, node, probe } = setup();
    const g = gate();
    const pid = node.spawn(stuckServer(g, probe.pid, {}));
    void node.call(pid, 'q').catch(() => undefined);
    await clock.settle();
    node.exit(pid, 'kill');
    // No settle, no tick: the fence is synchronous.
    expect(node.isAlive(pid)).toBe(false);
    expect(node.processes().some((p) => p.id === pid.id)).toBe(false);
    g.open();
    await clock.settle();
  });

  it('drops the mailbox of a killed process to counted dead letters', async () => {
    const { clock, node } = setup();
    const g = gate();
    const pid = node.spawn(
      stuckServer(
        g,
        node.spawn(async () => {}),
        {},
      ),
    );
    void node.call(pid, 'q').catch(() => undefined);
    await clock.settle();
    for (const m of ['m1', 'm2', 'm3']) node.send(pid, m);
    expect(node.processInfo(pid)?.mailboxSize).toBe(3);
    node.exit(pid, 'kill');
    expect(node.deadLetters.countOf('process-exited')).toBe(3);
    expect(node.deadLetters.recent().map((d) => d.message)).toEqual(['m1', 'm2', 'm3']);
    g.open();
    await clock.settle();
  });

  it('aborts ctx.signal of a killed process at once', async () => {
    const { clock, node, probe } = setup();
    const g = gate();
    const seen: { signal?: AbortSignal } = {};
    const pid = node.spawn(stuckServer(g, probe.pid, seen));
    void node.call(pid, 'q').catch(() => undefined);
    await clock.settle();
    expect(seen.signal?.aborted).toBe(false);
    node.exit(pid, 'kill');
    expect(seen.signal?.aborted).toBe(true);
    expect(isWardenError(seen.signal?.reason, 'ERR_ABORTED')).toBe(true);
    g.open();
    await clock.settle();
  });

  it('signals killed to the links and monitors of a killed process', async () => {
    const { clock, node, probe } = setup();
    const g = gate();
    const pid = node.spawn(stuckServer(g, probe.pid, {}));
    probe.link(pid);
    const ref = probe.monitor(pid);
    void node.call(pid, 'q').catch(() => undefined);
    await clock.settle();
    node.exit(pid, 'kill');
    await probe.expectExit(pid, 'killed', { within: 0 });
    await probe.expectDown(ref, 'killed', { within: 0 });
    g.open();
    await clock.settle();
  });

  it('discards the reply, send and spawn of a handler still running after the kill', async () => {
    const { clock, node, probe } = setup();
    const g = gate();
    const pid = node.spawn(stuckServer(g, probe.pid, {}));
    const call = node.call<never>(pid, 'q').catch((e: WardenError) => e);
    await clock.settle();
    node.exit(pid, 'kill');
    const before = node.processes().length;
    g.open();
    await clock.settle();
    const err = await call;
    expect(isWardenError(err, 'ERR_EXIT')).toBe(true);
    expect(err.reason).toBe('killed');
    expect(node.processes()).toHaveLength(before);
    await probe.expectNoMessage(1000);
    expect(node.deadLetters.countOf('fenced')).toBeGreaterThanOrEqual(1);
    expect(node.deadLetters.recent()).toContainEqual(
      expect.objectContaining({ to: probe.pid, message: 'late send', reason: 'fenced' }),
    );
  });

  it('counts the reply a fenced handler returns as a fenced dead letter, never silent', async () => {
    const { clock, node, probe } = setup();
    const g = gate();
    const pid = node.spawn(stuckServer(g, probe.pid, {}));
    void node.call(pid, 'q').catch(() => undefined);
    await clock.settle();
    node.exit(pid, 'kill');
    g.open();
    await clock.settle();
    const fenced = node.deadLetters.recent().filter((d) => d.reason === 'fenced');
    expect(fenced.map((d) => d.message)).toContain('late reply');
  });

  it('counts an explicit ctx.reply after the kill as a fenced dead letter', async () => {
    const { clock, node } = setup();
    const g = gate();
    const server = defineActor<null, void>({
      init: () => null,
      handleCall: async (_r, from, s, ctx) => {
        await g.opened;
        ctx.reply(from, 'too late');
        return { state: s } as never;
      },
    });
    const pid = node.spawn(server);
    void node.call(pid, 'q').catch(() => undefined);
    await clock.settle();
    node.exit(pid, 'kill');
    g.open();
    await clock.settle();
    expect(node.deadLetters.recent()).toContainEqual(
      expect.objectContaining({ message: 'too late', reason: 'fenced' }),
    );
  });

  it('runs no terminate after a kill, even when the killed handler then returns stop', async () => {
    const { clock, node, probe } = setup();
    const server = defineActor<null, void>({
      init: () => null,
      handleCall: (_r, _f, s, ctx) => {
        ctx.exit(ctx.self, 'kill'); // the fence falls here; the handler still returns
        return stop('normal', s, 'after kill');
      },
      terminate: (reason, _s, ctx) => {
        terminated.push(reason);
        ctx.send(probe.pid, 'terminate ran');
      },
    });
    const terminated: unknown[] = [];
    const pid = node.spawn(server);
    probe.monitor(pid);
    const err = await node.call<never>(pid, 'q').catch((e: WardenError) => e);
    expect(err.reason).toBe('killed');
    await probe.expectDown(pid, 'killed');
    await clock.settle();
    expect(terminated).toEqual([]);
  });

  it('discards the exits, links, monitors, timers and names a killed handler still asks for', async () => {
    const { clock, node, probe } = setup();
    const g = gate();
    const other = node.spawn(async (ctx: ActorContext) => {
      await ctx.receive(() => false);
    });
    const server = defineActor<null, void>({
      init: () => null,
      handleInfo: async (_m, s, ctx) => {
        await g.opened;
        ctx.exit(other, 'shutdown');
        ctx.link(other);
        ctx.monitor(other);
        ctx.sendAfter(probe.pid, 'timer', 10);
        ctx.register('late-name');
        ctx.cast(probe.pid, 'late cast');
        return s;
      },
    });
    const pid = node.spawn(server);
    node.send(pid, 'go');
    await clock.settle();
    node.exit(pid, 'kill');
    g.open();
    await clock.advance(100);
    expect(node.isAlive(other)).toBe(true);
    expect(node.processInfo(other)).toMatchObject({ links: [], monitoredBy: [] });
    expect(node.whereis('late-name')).toBeUndefined();
    expect(clock.pendingTimers).toBe(0);
    await probe.expectNoMessage(100);
    expect(node.deadLetters.countOf('fenced')).toBe(1); // the cast
  });

  it('ends a process killed during an async terminate with killed, at once', async () => {
    const { clock, node, probe } = setup();
    const g = gate();
    const pid = node.spawn(
      defineActor<null, void>({
        init: () => null,
        handleCast: (_m, s) => stop('shutdown', s),
        terminate: async (_r, _s, ctx) => {
          await g.opened;
          ctx.send(probe.pid, 'terminate finished');
        },
      }),
    );
    probe.monitor(pid);
    node.cast(pid, 'stop');
    await clock.settle();
    expect(node.isAlive(pid)).toBe(true);
    node.exit(pid, 'kill');
    expect(node.isAlive(pid)).toBe(false);
    await probe.expectDown(pid, 'killed');
    g.open();
    await probe.expectNoMessage(100);
  });

  it('fences a child whose shutdown time runs out while its handler is stuck', async () => {
    const { clock, node, probe } = setup();
    const g = gate();
    const seen: { signal?: AbortSignal } = {};
    const stuck = defineActor<null, void>({
      init: (_a, ctx) => {
        ctx.trapExit(true); // it would stop on shutdown, but it never gets to read the EXIT
        return null;
      },
      handleInfo: async (_m, s, ctx) => {
        seen.signal = ctx.signal;
        await g.opened;
        ctx.send(probe.pid, 'after shutdown');
        return s;
      },
    });
    const sup = (await startSupervisor(node, {
      children: [{ id: 'w', start: { behaviour: stuck }, shutdown: 500 }],
    })) as Pid;
    const [row] = await whichChildren(node, sup);
    const child = row?.pid as Pid;
    probe.monitor(child);
    node.send(child, 'block');
    await clock.settle();
    const result = terminateChild(node, sup, 'w');
    await clock.advance(499);
    expect(node.isAlive(child)).toBe(true);
    await clock.advance(1);
    expect(node.isAlive(child)).toBe(false);
    expect(seen.signal?.aborted).toBe(true);
    expect(await result).toEqual({ ok: true });
    await probe.expectDown(child, 'killed');
    g.open();
    await probe.expectNoMessage(1000);
  });
});
