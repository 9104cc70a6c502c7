import { describe, expect, it } from 'vitest';
import {
  createNode,
  defineActor,
  type NodeEvent,
  type NodeEventType,
  reply,
} from '../src/index.js';
import { TestClock, TestProbe } from '../src/testing/index.js';

const echo = defineActor<null, void>({
  init: () => null,
  handleCall: (req, _f, s) => reply(req, s),
});

describe('event stream', () => {
  it('reports spawn, link, monitor and exit with the reason', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const events: NodeEvent[] = [];
    node.inspect((e) => events.push(e));
    const probe = new TestProbe(node);
    const pid = node.spawn(echo);
    probe.link(pid);
    probe.monitor(pid);
    node.exit(pid, 'shutdown');
    await clock.settle();
    const types = events.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining<NodeEventType>([
        'actor.spawned',
        'actor.linked',
        'actor.monitored',
        'actor.exited',
      ]),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'actor.exited', pid, reason: 'shutdown' }),
    );
  });

  it('keeps the runtime and the other observers working when an observer throws', async () => {
    const clock = new TestClock();
    const errors: unknown[] = [];
    const node = createNode({ name: 'a', clock, onError: (e) => errors.push(e) });
    const seen: NodeEventType[] = [];
    node.inspect(() => {
      throw new Error('bad observer');
    });
    node.inspect((e) => seen.push(e.type));
    const pid = node.spawn(echo);
    expect(await node.call(pid, 'still works')).toBe('still works');
    node.exit(pid, 'kill');
    await clock.settle();
    expect(node.isAlive(pid)).toBe(false);
    expect(seen).toContain('actor.spawned');
    expect(seen).toContain('actor.exited');
    expect(errors.length).toBe(seen.length);
    expect((errors[0] as Error).message).toBe('bad observer');
  });

  it('keeps a throwing observer subscribed', () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock, onError: () => {} });
    let calls = 0;
    node.inspect(() => {
      calls++;
      throw new Error('again');
    });
    node.send('nobody', 1);
    node.send('nobody', 2);
    expect(calls).toBe(2);
  });

  it('stops delivering to an observer after it unsubscribes', () => {
    const node = createNode({ name: 'a', clock: new TestClock() });
    const seen: NodeEvent[] = [];
    const unsubscribe = node.inspect((e) => seen.push(e));
    node.send('nobody', 1);
    unsubscribe();
    node.send('nobody', 2);
    expect(seen).toHaveLength(1);
  });

  it('reports node.stopped when the node stops', async () => {
    const node = createNode({ name: 'a', clock: new TestClock() });
    const seen: NodeEventType[] = [];
    node.inspect((e) => seen.push(e.type));
    await node.stop();
    expect(seen).toContain('node.stopped');
  });
});

describe('published events', () => {
  it('carries events of the packages above the core, only while someone observes', () => {
    const node = createNode({ name: 'pub', clock: new TestClock() });
    expect(node.observed).toBe(false);
    node.publish({ type: 'retry.scheduled' }); // nobody listens: nothing is built or kept
    const seen: NodeEvent[] = [];
    const off = node.inspect((e) => seen.push(e));
    expect(node.observed).toBe(true);
    node.publish({ type: 'retry.scheduled', attempt: 2 } as { type: string });
    off();
    expect(seen).toEqual([
      { type: 'published', time: 0, event: { type: 'retry.scheduled', attempt: 2 } },
    ]);
    expect(() => node.publish({} as { type: string })).toThrow(/event.type/);
  });
});
