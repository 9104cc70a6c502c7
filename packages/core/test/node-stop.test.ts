import { describe, expect, it } from 'vitest';
import {
  createNode,
  defineActor,
  isWardenError,
  type NodeEvent,
  noreply,
  type Pid,
  reply,
  startSupervisor,
  whichChildren,
} from '../src/index.js';
import { TestClock, TestProbe } from '../src/testing/index.js';

/** Holds timers of every kind the core has: a sendAfter, and a pending receive with a timeout. */
const ticker = defineActor<string, string>({
  init: (name, ctx) => {
    ctx.sendAfter(ctx.self, 'tick', 3_600_000);
    return name;
  },
  handleInfo: async (message, state, ctx) => {
    if (message === 'wait') await ctx.receive((m) => m === 'never sent', { timeout: 3_600_000 });
    return state;
  },
});

/** A server that never answers: a call to it holds a call timer. */
const silent = defineActor<undefined, undefined>({
  init: () => undefined,
  handleCall: (_request, _from, state) => noreply(state),
});

const count = (resources: string[], kind: string): number =>
  resources.filter((r) => r === kind).length;

describe('node stop', () => {
  it('leaves no timer of a running tree, sendAfter or call keeping the process alive', async () => {
    // The real clock: the test compares Node's own list of live resources before and after.
    const before = process.getActiveResourcesInfo();
    const node = createNode({ name: 'real' });
    const sup = (await startSupervisor(node, {
      children: [
        { id: 'a', start: { behaviour: ticker, args: 'a' } },
        { id: 'b', start: { behaviour: ticker, args: 'b' } },
      ],
    })) as Pid;
    const [a] = await whichChildren(node, sup);
    node.send(a?.pid as Pid, 'wait');
    node.sendAfter(sup, 'late', 3_600_000);
    const server = node.spawn(silent);
    const call = node.call(server, 'hello', { timeout: 3_600_000 }).catch((e: unknown) => e);
    const probe = new TestProbe(node);
    const waiting = probe.expectMessage((m) => m === 'never sent', { within: 3_600_000 });
    const probeOutcome = waiting.catch((e: unknown) => e);
    // A round trip through the supervisor: child a has handled 'wait' by the time it answers.
    await whichChildren(node, sup);
    const during = process.getActiveResourcesInfo();
    // Two sendAfter in init, one from the node, the pending receive, the call, the probe's wait.
    expect(count(during, 'Timeout')).toBeGreaterThanOrEqual(count(before, 'Timeout') + 6);

    await node.stop();

    const after = process.getActiveResourcesInfo();
    expect(count(after, 'Timeout')).toBeLessThanOrEqual(count(before, 'Timeout'));
    expect(count(after, 'Immediate')).toBeLessThanOrEqual(count(before, 'Immediate'));
    expect(isWardenError(await call, 'ERR_NODE_STOPPED')).toBe(true);
    expect(await probeOutcome).toBeInstanceOf(Error);
  });

  it('aborts node.signal when the node stops, once, with ERR_NODE_STOPPED', async () => {
    const node = createNode({ name: 'a', clock: new TestClock() });
    const seen: unknown[] = [];
    node.signal.addEventListener('abort', () => seen.push(node.signal.reason));
    expect(node.signal.aborted).toBe(false);
    await node.stop();
    await node.stop();
    expect(node.signal.aborted).toBe(true);
    expect(seen).toHaveLength(1);
    expect(isWardenError(seen[0], 'ERR_NODE_STOPPED')).toBe(true);
  });

  it('emits nothing once stopped: node.stopped is the last event', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const events: NodeEvent[] = [];
    node.inspect((e) => events.push(e));
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = node.spawn(
      defineActor<number, undefined>({
        init: () => 0,
        // Settles after the node stopped: its reply becomes a fenced dead letter.
        handleCall: async (_r, _f, n) => {
          await gate;
          return reply(n, n);
        },
      }),
    );
    const call = node.call(slow, 'q').catch(() => undefined);
    await clock.settle();
    await node.stop();
    const last = events.length;
    expect(events[last - 1]).toMatchObject({ type: 'node.stopped', node: 'a' });
    node.send(slow, 'after');
    node.publish({ type: 'after.stop' });
    const late: NodeEvent[] = [];
    node.inspect((e) => late.push(e));
    await call;
    release();
    for (let i = 0; i < 20 && node.deadLetters.countOf('fenced') === 0; i++) await gate;
    expect(node.deadLetters.countOf('fenced')).toBe(1);
    expect(node.deadLetters.countOf('node-stopped')).toBe(1);
    expect(events).toHaveLength(last);
    expect(late).toEqual([]);
  });
});
