import { describe, expect, it } from 'vitest';
import {
  type ActorContext,
  createNode,
  isWardenError,
  type NodeEvent,
  type Pid,
} from '../src/index.js';
import { TestClock } from '../src/testing/index.js';

/** Spawns a process that hands out its context, then waits for ever. */
async function contextOf(node: ReturnType<typeof createNode>): Promise<[Pid, ActorContext]> {
  let ctx: ActorContext | undefined;
  const pid = node.spawn((c) => {
    ctx = c;
    return new Promise<never>(() => {});
  });
  await (node.clock as TestClock).settle();
  if (ctx === undefined) throw new Error('the process did not run');
  return [pid, ctx];
}

describe('the process context', () => {
  it('is an object of its own that exposes no engine internals', async () => {
    const node = createNode({ name: 'a', clock: new TestClock() });
    const [pid, ctx] = await contextOf(node);
    expect(Object.keys(ctx)).toEqual([]);
    const cast = ctx as unknown as Record<string, unknown>;
    for (const field of ['core', 'mailbox', 'dead', 'links', 'runner', 'state', 'pid']) {
      expect(cast[field]).toBeUndefined();
    }
    expect(ctx.self).toBe(pid);
    expect(ctx.node).toBe(node);
  });

  it('publishes a supervisor event about itself as the event itself', async () => {
    const node = createNode({ name: 'a', clock: new TestClock() });
    const [pid, ctx] = await contextOf(node);
    const events: NodeEvent[] = [];
    node.inspect((e) => events.push(e));
    const event = {
      type: 'supervisor.restart',
      time: ctx.now(),
      supervisor: pid,
      id: 'w',
      delayMs: 0,
    } as const;
    ctx.publish(event);
    expect(events).toEqual([event]);
  });

  it('refuses a supervisor event that names another process', async () => {
    const node = createNode({ name: 'a', clock: new TestClock() });
    const [, ctx] = await contextOf(node);
    const other = node.spawn(async (c) => void (await c.receive()));
    const error = (() => {
      try {
        ctx.publish({ type: 'supervisor.escalated', time: 0, supervisor: other, restarts: 1 });
      } catch (e) {
        return e;
      }
    })();
    expect(isWardenError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as { field?: string }).field).toBe('event.supervisor');
  });

  it('wraps any other event in a published event carrying the publisher', async () => {
    const node = createNode({ name: 'a', clock: new TestClock() });
    const [pid, ctx] = await contextOf(node);
    const events: NodeEvent[] = [];
    node.inspect((e) => events.push(e));
    ctx.publish({ type: 'agent.step', n: 1 } as { type: string });
    expect(events).toEqual([
      { type: 'published', time: 0, event: { type: 'agent.step', n: 1 }, pid },
    ]);
  });

  it('publishes nothing once the process has ended', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const [pid, ctx] = await contextOf(node);
    const events: NodeEvent[] = [];
    node.exit(pid, 'kill');
    node.inspect((e) => events.push(e));
    ctx.publish({ type: 'agent.step' });
    ctx.publish({ type: 'supervisor.escalated', time: 0, supervisor: pid, restarts: 1 });
    expect(events).toEqual([]);
  });

  it('flushes the queued messages that match, keeping the others in order', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const [pid, ctx] = await contextOf(node);
    for (const m of [1, 'a', 2, 'b', 3]) node.send(pid, m);
    expect(ctx.flush((m) => typeof m === 'number')).toBe(3);
    expect(node.processInfo(pid)?.mailboxSize).toBe(2);
    expect(await ctx.receive(undefined, { timeout: 0 })).toBe('a');
    expect(await ctx.receive(undefined, { timeout: 0 })).toBe('b');
  });

  it('rejects a flush without a function', async () => {
    const node = createNode({ name: 'a', clock: new TestClock() });
    const [, ctx] = await contextOf(node);
    expect(() => ctx.flush('all' as never)).toThrow(/invalid match/);
  });
});
