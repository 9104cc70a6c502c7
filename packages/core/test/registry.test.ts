import { describe, expect, it } from 'vitest';
import { type ActorContext, createNode, isWardenError, type NodeEvent } from '../src/index.js';
import { TestClock, TestProbe } from '../src/testing/index.js';

async function idle(ctx: ActorContext): Promise<void> {
  await ctx.receive(() => false);
}

function setup() {
  const clock = new TestClock();
  const node = createNode({ name: 'a', clock });
  return { clock, node };
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('registry', () => {
  it('registers, finds and unregisters a name', () => {
    const { node } = setup();
    const pid = node.spawn(idle);
    node.register('db', pid);
    expect(node.whereis('db')).toEqual(pid);
    expect(node.registered()).toEqual(['db']);
    expect(node.processInfo(pid)?.name).toBe('db');
    expect(node.unregister('db')).toBe(true);
    expect(node.unregister('db')).toBe(false);
    expect(node.whereis('db')).toBeUndefined();
    expect(node.processInfo(pid)?.name).toBeUndefined();
  });

  it('routes sends and calls to a registered name', async () => {
    const { node } = setup();
    const probe = new TestProbe(node);
    node.spawn(
      async (ctx) => {
        const m = await ctx.receive();
        ctx.send(probe.pid, { echoed: m });
      },
      { name: 'echo' },
    );
    node.send('echo', 'hi');
    expect(await probe.expectMessage()).toEqual({ echoed: 'hi' });
  });

  it('lets a process register itself through its context', async () => {
    const { clock, node } = setup();
    const pid = node.spawn(async (ctx) => {
      ctx.register('me');
      await ctx.receive(() => false);
    });
    await clock.settle();
    expect(node.whereis('me')).toEqual(pid);
  });

  it('releases the name when the process exits, so another may take it', async () => {
    const { clock, node } = setup();
    const first = node.spawn(idle, { name: 'svc' });
    node.exit(first, 'kill');
    expect(node.whereis('svc')).toBeUndefined();
    const second = node.spawn(idle, { name: 'svc' });
    expect(node.whereis('svc')).toEqual(second);
    node.exit(second, 'shutdown');
    await clock.settle();
    expect(node.registered()).toEqual([]);
  });

  it('rejects a name held by another live process with ERR_NAME_TAKEN', () => {
    const { node } = setup();
    const holder = node.spawn(idle, { name: 'svc' });
    const other = node.spawn(idle);
    expect(
      isWardenError(
        caught(() => node.register('svc', other)),
        'ERR_NAME_TAKEN',
      ),
    ).toBe(true);
    expect(node.whereis('svc')).toEqual(holder);
  });

  it('rejects spawn with a taken name and leaves no process behind', () => {
    const { node } = setup();
    node.spawn(idle, { name: 'svc' });
    const before = node.processes().length;
    const err = caught(() => node.spawn(idle, { name: 'svc' }));
    expect(isWardenError(err, 'ERR_NAME_TAKEN')).toBe(true);
    expect(node.processes()).toHaveLength(before);
  });

  it('allows re-registering the same name to the same process, but not a second name', () => {
    const { node } = setup();
    const pid = node.spawn(idle, { name: 'one' });
    node.register('one', pid);
    expect(
      isWardenError(
        caught(() => node.register('two', pid)),
        'ERR_BAD_NAME',
      ),
    ).toBe(true);
    expect(node.registered()).toEqual(['one']);
  });

  it('rejects an empty name and a dead pid with ERR_INVALID_ARGUMENT', async () => {
    const { clock, node } = setup();
    const pid = node.spawn(idle);
    const empty = caught(() => node.register('', pid));
    expect(isWardenError(empty, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((empty as { field?: string }).field).toBe('name');
    node.exit(pid, 'kill');
    await clock.settle();
    const dead = caught(() => node.register('late', pid));
    expect(isWardenError(dead, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((dead as { field?: string }).field).toBe('pid');
  });

  it('turns a send to an unregistered name into an unknown-name dead letter', () => {
    const { node } = setup();
    const pid = node.spawn(idle, { name: 'svc' });
    node.unregister('svc');
    node.send('svc', 'x');
    expect(node.deadLetters.countOf('unknown-name')).toBe(1);
    expect(node.processInfo(pid)?.mailboxSize).toBe(0);
  });

  it('emits actor.registered events', () => {
    const { node } = setup();
    const events: NodeEvent[] = [];
    node.inspect((e) => events.push(e));
    const pid = node.spawn(idle, { name: 'svc' });
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'actor.registered', pid, name: 'svc' }),
    );
  });
});
