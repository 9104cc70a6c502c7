import {
  type CallRequest,
  createInMemoryNetwork,
  createNode,
  defineActor,
  isWardenError,
  noreply,
  type Pid,
  reply,
  shutdownWith,
  stop,
  type WardenError,
} from '@warden/core';
import { TestClock, TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';

// docs/semantics.md section 12, items 50-51.

function setup() {
  const clock = new TestClock();
  const node = createNode({ name: 'a', clock });
  return { clock, node, probe: new TestProbe(node) };
}

/** Never answers: keeps every `from` handle, so a test can answer late with 'answer'. */
const silent = defineActor<CallRequest[], void>({
  init: () => [],
  handleCall: (_req, from, pending) => noreply([...pending, from]),
  handleInfo: (m, pending, ctx) => {
    if (m === 'answer') for (const from of pending) ctx.reply(from, 'late');
    return pending;
  },
});

const echo = defineActor<null, void>({
  init: () => null,
  handleCall: (req, _from, s) => reply(req, s),
});

/** Records whether a promise has settled, without awaiting it. */
function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

describe('gen_server:call timeouts (item 50)', () => {
  it('times out after the default 5000 ms with ERR_CALL_TIMEOUT (item 50)', async () => {
    const { clock, node } = setup();
    const server = node.spawn(silent);
    const call = track(node.call(server, 'q'));
    await clock.advance(4999);
    expect(call.settled).toBe(false);
    await clock.advance(1);
    expect(call.settled).toBe(true);
    expect(isWardenError(call.error, 'ERR_CALL_TIMEOUT')).toBe(true);
  });

  it('honours an explicit timeout in virtual milliseconds (item 50)', async () => {
    const { clock, node } = setup();
    const server = node.spawn(silent);
    const call = track(node.call(server, 'q', { timeout: 250 }));
    await clock.advance(249);
    expect(call.settled).toBe(false);
    await clock.advance(1);
    expect(isWardenError(call.error, 'ERR_CALL_TIMEOUT')).toBe(true);
  });

  it('waits for ever with an Infinity timeout and arms no timer (item 50)', async () => {
    const { clock, node } = setup();
    const server = node.spawn(silent);
    const call = track(node.call(server, 'q', { timeout: Number.POSITIVE_INFINITY }));
    await clock.settle();
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(7 * 24 * 3600_000);
    expect(call.settled).toBe(false);
    node.send(server, 'answer');
    await clock.settle();
    expect(call.value).toBe('late');
  });

  it('lets the caller catch a timeout and carry on (item 50)', async () => {
    const { node, probe } = setup();
    const server = node.spawn(silent);
    const caller = node.spawn(async (ctx) => {
      const outcome = await ctx.call(server, 'q', { timeout: 100 }).catch((e) => e.code);
      ctx.send(probe.pid, outcome);
      ctx.send(probe.pid, await ctx.call(node.spawn(echo), 'still alive'));
    });
    probe.monitor(caller);
    expect(await probe.expectMessage()).toBe('ERR_CALL_TIMEOUT');
    expect(await probe.expectMessage()).toBe('still alive');
    await probe.expectDown(caller, 'normal');
  });

  it('ends a caller that does not catch the timeout, with the timeout as its reason (item 50)', async () => {
    const { node, probe } = setup();
    const server = node.spawn(silent);
    const caller = node.spawn(async (ctx) => {
      await ctx.call(server, 'q', { timeout: 100 });
    });
    probe.monitor(caller);
    const down = await probe.expectDown(caller);
    expect(down.reason).toMatchObject({ tag: 'error', code: 'ERR_CALL_TIMEOUT' });
  });

  it('drops a reply that arrives after the timeout as a late-reply dead letter (item 50)', async () => {
    const { clock, node, probe } = setup();
    const server = node.spawn(silent);
    const caller = node.spawn(async (ctx) => {
      await ctx.call(server, 'q', { timeout: 100 }).catch(() => undefined);
      await ctx.receive((m) => m === 'check');
      // Nothing of the late reply reaches the caller's mailbox.
      const stray = await ctx.receive(undefined, { timeout: 0 }).catch(() => 'none');
      ctx.send(probe.pid, stray);
    });
    await clock.advance(100);
    node.send(server, 'answer');
    await clock.settle();
    expect(node.deadLetters.countOf('late-reply')).toBe(1);
    expect(node.deadLetters.recent().at(-1)).toMatchObject({
      to: caller,
      message: 'late',
      reason: 'late-reply',
    });
    node.send(caller, 'check');
    expect(await probe.expectMessage()).toBe('none');
  });

  it('releases the monitor a call holds on its server, on reply and on timeout (item 50)', async () => {
    const { clock, node } = setup();
    const server = node.spawn(echo);
    expect(await node.call(server, 1)).toBe(1);
    expect(node.processInfo(server)?.monitoredBy).toEqual([]);
    const slow = node.spawn(silent);
    const call = track(node.call(slow, 'q', { timeout: 10 }));
    await clock.settle();
    expect(node.processInfo(slow)?.monitoredBy).toHaveLength(1);
    await clock.advance(10);
    expect(call.settled).toBe(true);
    expect(node.processInfo(slow)?.monitoredBy).toEqual([]);
  });

  it('drops a second reply to the same call (item 50)', async () => {
    const { clock, node } = setup();
    const twice = defineActor<null, void>({
      init: () => null,
      handleCall: (_r, from, s, ctx) => {
        ctx.reply(from, 'first');
        ctx.reply(from, 'second');
        return noreply(s);
      },
    });
    expect(await node.call(node.spawn(twice), 'q')).toBe('first');
    await clock.settle();
    expect(node.deadLetters.countOf('late-reply')).toBe(1);
  });

  it('rejects with ERR_ABORTED when the call signal aborts (item 50)', async () => {
    const { clock, node } = setup();
    const server = node.spawn(silent);
    const controller = new AbortController();
    const call = track(node.call(server, 'q', { signal: controller.signal }));
    await clock.settle();
    controller.abort();
    await clock.settle();
    expect(isWardenError(call.error, 'ERR_ABORTED')).toBe(true);
    expect(node.processInfo(server)?.monitoredBy).toEqual([]);
  });
});

describe('gen_server:call to a dead or dying server (item 51)', () => {
  it('rejects with ERR_NOPROC when the server is not alive (item 51)', async () => {
    const { clock, node } = setup();
    const server = node.spawn(echo);
    node.exit(server, 'kill');
    await clock.settle();
    const err = await node.call<never>(server, 'q').catch((e: WardenError) => e);
    expect(isWardenError(err, 'ERR_NOPROC')).toBe(true);
    expect(err.reason).toBe('noproc');
  });

  it('rejects with ERR_NOPROC for a name that is not registered (item 51)', async () => {
    const { node } = setup();
    const err = await node.call('nobody', 'q').catch((e) => e);
    expect(isWardenError(err, 'ERR_NOPROC')).toBe(true);
  });

  it('rejects with ERR_EXIT carrying the server exit reason when it dies during the call (item 51)', async () => {
    const { clock, node } = setup();
    const dies = defineActor<null, void>({
      init: () => null,
      handleCall: () => {
        throw new Error('server crashed');
      },
    });
    const err = await node.call<never>(node.spawn(dies), 'q').catch((e: WardenError) => e);
    expect(isWardenError(err, 'ERR_EXIT')).toBe(true);
    expect(err.reason).toMatchObject({ tag: 'error', message: 'server crashed' });
    const stopper = defineActor<null, void>({
      init: () => null,
      handleCall: (_r, _f, s) => stop(shutdownWith('leaving'), s),
    });
    const err2 = await node.call<never>(node.spawn(stopper), 'q').catch((e: WardenError) => e);
    expect(err2.reason).toEqual(shutdownWith('leaving'));
    await clock.settle();
  });

  it('rejects with reason killed when the server is killed during the call (item 51)', async () => {
    const { clock, node } = setup();
    const server: Pid = node.spawn(silent);
    const call = track(node.call(server, 'q', { timeout: Number.POSITIVE_INFINITY }));
    await clock.settle();
    node.exit(server, 'kill');
    await clock.settle();
    expect(isWardenError(call.error, 'ERR_EXIT')).toBe(true);
    expect((call.error as { reason: unknown }).reason).toBe('killed');
  });

  it('delivers the reply given with stop before the server exits (item 51)', async () => {
    const { node, probe } = setup();
    const stopper = defineActor<null, void>({
      init: () => null,
      handleCall: (_r, _f, s) => stop('normal', s, 'goodbye'),
    });
    const pid = node.spawn(stopper);
    probe.monitor(pid);
    expect(await node.call(pid, 'q')).toBe('goodbye');
    await probe.expectDown(pid, 'normal');
  });

  it('rejects with ERR_NODEDOWN when the server node is lost during the call (item 51)', async () => {
    const clock = new TestClock();
    const net = createInMemoryNetwork();
    const a = createNode({ name: 'a', clock, transport: net.transport() });
    const b = createNode({ name: 'b', clock, transport: net.transport() });
    const server = b.spawn(silent);
    const call = track(a.call(server, 'q', { timeout: Number.POSITIVE_INFINITY }));
    await clock.settle();
    net.partition('a', 'b');
    await clock.settle();
    expect(isWardenError(call.error, 'ERR_NODEDOWN')).toBe(true);
    expect(await a.call(b.spawn(echo), 'q').catch((e) => e.code)).toBe('ERR_NODEDOWN');
  });
});
