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

describe('inspecting chosen event types', () => {
  const crashing = defineActor<{ toJSON(): unknown }, 'crash'>({
    init: () => ({ toJSON: () => ++described }),
    handleCast: () => {
      throw new Error('boom');
    },
  });
  let described = 0;

  it('delivers only the types an observer asked for, and every type to one that asked for none', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const chosen: NodeEventType[] = [];
    const all: NodeEventType[] = [];
    node.inspect((e) => chosen.push(e.type), { types: ['actor.exited', 'deadletter'] });
    node.inspect((e) => all.push(e.type));
    const pid = node.spawn(echo);
    node.exit(pid, 'shutdown');
    node.send('nobody', 1);
    await clock.settle();
    expect(chosen).toEqual(['actor.exited', 'deadletter']);
    expect(all).toEqual(['actor.spawned', 'actor.exited', 'deadletter']);
  });

  it('builds no crash report when no observer asked for one', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const exits: NodeEvent[] = [];
    node.inspect((e) => exits.push(e), { types: ['actor.exited'] });
    described = 0;
    node.cast(node.spawn(crashing), 'crash');
    await clock.settle();
    expect(exits).toHaveLength(1);
    expect(described).toBe(0);
    const reports: NodeEvent[] = [];
    const off = node.inspect((e) => reports.push(e), { types: ['actor.crashed'] });
    node.cast(node.spawn(crashing), 'crash');
    await clock.settle();
    expect(reports).toEqual([expect.objectContaining({ type: 'actor.crashed', state: '1' })]);
    expect(described).toBe(1);
    off();
    node.cast(node.spawn(crashing), 'crash');
    await clock.settle();
    expect(described).toBe(1);
  });

  it('counts the node observed only while some observer reads published events', () => {
    const node = createNode({ name: 'a', clock: new TestClock() });
    const off = node.inspect(() => {}, { types: ['actor.exited'] });
    expect(node.observed).toBe(false);
    const seen: NodeEvent[] = [];
    const offPublished = node.inspect((e) => seen.push(e), { types: ['published'] });
    expect(node.observed).toBe(true);
    node.publish({ type: 'retry.scheduled' });
    expect(seen).toHaveLength(1);
    offPublished();
    offPublished(); // a second call changes nothing
    expect(node.observed).toBe(false);
    off();
  });

  it('refuses an unknown type or an observer that is not a function', () => {
    const node = createNode({ name: 'a', clock: new TestClock() });
    const bad = ['actor.spawned', 'actor.teleported'] as unknown as NodeEventType[];
    expect(() => node.inspect(() => {}, { types: bad })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', field: 'options.types' }),
    );
    expect(() => node.inspect('log' as unknown as () => void)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', field: 'observer' }),
    );
    expect(node.observed).toBe(false);
  });
});
