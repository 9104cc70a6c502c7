// Issue 5.4: the resource mediator: timeouts, all-or-nothing, deadlock detection, owner exit, fencing.
import { createNode, type Pid } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { isResilienceError, type ResilienceEvent, ResourceMediator } from '../src/index.js';
import { thrown, track } from './settle.js';

const RESOURCES = ['memory', 'file:notes.md', 'quota:model'];

function setup(timeoutMs = 1000) {
  const clock = new TestClock();
  const events: ResilienceEvent[] = [];
  const mediator = new ResourceMediator({
    clock,
    resources: RESOURCES,
    timeoutMs,
    observer: (e) => events.push(e),
  });
  return { clock, mediator, events };
}

describe('ResourceMediator: acquiring', () => {
  it('grants a free resource with fencing token 1 and the next holder token 2', async () => {
    const { mediator } = setup();
    const a = await mediator.acquire('a', 'memory');
    expect(a.token).toBe(1);
    a.release();
    const b = await mediator.acquire('b', 'memory');
    expect(b.token).toBe(2);
    expect(a.held).toBe(false);
    expect(b.held).toBe(true);
  });

  it('makes a second owner wait until the first releases', async () => {
    const { clock, mediator } = setup();
    const a = await mediator.acquire('a', 'memory');
    const b = track(mediator.acquire('b', 'memory'));
    await clock.settle();
    expect(b.done).toBe(false);
    a.release();
    await clock.settle();
    expect(b.value?.owner).toBe('b');
  });

  it('fails a wait with ERR_LOCK_TIMEOUT after the timeout on the clock', async () => {
    const { clock, mediator, events } = setup(500);
    await mediator.acquire('a', 'memory');
    const b = track(mediator.acquire('b', 'memory'));
    await clock.advance(500);
    expect(isResilienceError(b.error, 'ERR_LOCK_TIMEOUT')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'lock.denied', owner: 'b', reason: 'timeout' });
  });

  it('withdraws an aborted wait so that later waiters move up', async () => {
    const { clock, mediator } = setup();
    const a = await mediator.acquire('a', 'memory');
    const caller = new AbortController();
    const b = track(mediator.acquireAll('b', ['memory', 'quota:model'], { signal: caller.signal }));
    const c = track(mediator.acquire('c', 'quota:model'));
    await clock.settle();
    expect(c.done).toBe(false); // b asked for quota first
    caller.abort();
    await clock.settle();
    expect(isResilienceError(b.error, 'ERR_ABORTED')).toBe(true);
    expect(c.value?.resource).toBe('quota:model');
    a.release();
  });

  it('takes several resources all at once, in canonical order, and answers in the order asked', async () => {
    const { mediator, events } = setup();
    const [quota, memory] = await mediator.acquireAll('a', ['quota:model', 'memory']);
    expect([quota.resource, memory.resource]).toEqual(['quota:model', 'memory']);
    const granted = events
      .filter((e) => e.type === 'lock.granted')
      .map((e) => (e as { resource: string }).resource);
    expect(granted).toEqual(['memory', 'quota:model']);
  });

  it('rejects unknown resources, double acquisition and empty requests with typed errors', async () => {
    const { mediator } = setup();
    await expect(mediator.acquire('a', 'nope')).rejects.toMatchObject({
      code: 'ERR_UNKNOWN_RESOURCE',
    });
    await mediator.acquire('a', 'memory');
    await expect(mediator.acquire('a', 'memory')).rejects.toMatchObject({
      code: 'ERR_ALREADY_HELD',
    });
    await expect(mediator.acquireAll('a', [])).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTION',
      field: 'resources',
    });
  });
});

describe('ResourceMediator: deadlocks', () => {
  it('fails the wait that would close a cycle with ERR_DEADLOCK, and names the cycle', async () => {
    const { clock, mediator, events } = setup();
    await mediator.acquire('a', 'memory');
    await mediator.acquire('b', 'file:notes.md');
    const aWaits = track(mediator.acquire('a', 'file:notes.md'));
    const bWaits = track(mediator.acquire('b', 'memory'));
    await clock.settle();
    expect(isResilienceError(bWaits.error, 'ERR_DEADLOCK')).toBe(true);
    expect(aWaits.done).toBe(false); // the other party keeps its place
    expect(events.at(-1)).toMatchObject({
      type: 'lock.denied',
      owner: 'b',
      reason: 'deadlock',
      cycle: ['b', 'a'],
    });
    mediator.releaseAll('b'); // the victim backs off; a proceeds
    await clock.settle();
    expect(aWaits.value?.resource).toBe('file:notes.md');
  });

  it('detects a cycle that runs through the arrival order of waiters', async () => {
    const { clock, mediator } = setup();
    await mediator.acquire('x', 'memory');
    track(mediator.acquireAll('y', ['memory', 'quota:model'])); // y waits for x
    await mediator.acquire('z', 'file:notes.md');
    const zWaits = track(mediator.acquire('z', 'quota:model')); // z waits behind y (arrival order)
    const xWaits = track(mediator.acquire('x', 'file:notes.md')); // x -> z -> y -> x
    await clock.settle();
    expect(zWaits.done).toBe(false);
    expect(isResilienceError(xWaits.error, 'ERR_DEADLOCK')).toBe(true);
  });
});

describe('ResourceMediator: fencing', () => {
  it('rejects a write under a stale token with ERR_FENCED', async () => {
    const { mediator, events } = setup();
    const old = await mediator.acquire('a', 'memory');
    old.release();
    const current = await mediator.acquire('b', 'memory');
    const writes: number[] = [];
    expect(mediator.guard(current, (token) => writes.push(token))).toBe(1);
    const error = thrown(() => mediator.guard(old, (token) => writes.push(token)));
    expect(isResilienceError(error, 'ERR_FENCED')).toBe(true);
    expect(writes).toEqual([2]);
    expect(events.at(-1)).toMatchObject({
      type: 'lock.fenced',
      resource: 'memory',
      token: 1,
      current: 2,
    });
    expect(() => mediator.assertFence('memory', 2)).not.toThrow();
  });
});

describe('ResourceMediator: owners that exit', () => {
  it('releases the locks of a process when it exits, and fences its late writes', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'mediator', clock });
    const events: ResilienceEvent[] = [];
    const mediator = new ResourceMediator({
      clock,
      node,
      resources: RESOURCES,
      observer: (e) => events.push(e),
    });
    let lease: { token: number } | undefined;
    const holder = node.spawn(async (ctx) => {
      lease = await mediator.acquireAll(ctx.self, ['memory', 'quota:model']).then((l) => l[0]);
      await ctx.receive(); // holds until killed
    });
    await clock.settle();
    const next = track(mediator.acquire('next', 'memory'));
    await clock.settle();
    expect(next.done).toBe(false);
    node.exit(holder as Pid, 'kill');
    await clock.settle();
    expect(next.value?.token).toBe(2);
    expect(
      events.filter((e) => e.type === 'lock.released').map((e) => (e as { cause: string }).cause),
    ).toEqual(['owner_exit', 'owner_exit']);
    expect(() => mediator.assertFence('memory', (lease as { token: number }).token)).toThrow(
      /stale/,
    );
    await node.stop();
  });

  it('withdraws the waits of a process that exits while waiting', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'mediator', clock });
    const mediator = new ResourceMediator({ clock, node, resources: RESOURCES });
    const first = await mediator.acquire('first', 'memory');
    const waiter = node.spawn(async (ctx) => {
      await mediator.acquire(ctx.self, 'memory').catch(() => {});
      await ctx.receive();
    });
    await clock.settle();
    expect(mediator.waitForGraph().has(waiter.key)).toBe(true);
    node.exit(waiter, 'kill');
    await clock.settle();
    expect(mediator.waitForGraph().size).toBe(0);
    first.release();
    expect(mediator.holderOf('memory')).toBeUndefined();
    await node.stop();
  });
});

describe('ResourceMediator: closing', () => {
  const granted = (events: ResilienceEvent[]) => events.filter((e) => e.type === 'lock.granted');

  it('rejects an acquire after close with ERR_CLOSED and grants nothing', async () => {
    const { mediator, events } = setup();
    mediator.close();
    await expect(mediator.acquire('a', 'memory')).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    expect(mediator.holderOf('memory')).toBeUndefined();
    expect(granted(events)).toEqual([]);
  });

  it('rejects an acquireAll after close with ERR_CLOSED and grants nothing', async () => {
    const { mediator, events } = setup();
    mediator.close();
    const refused = mediator.acquireAll('a', ['memory', 'quota:model']);
    await expect(refused).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    expect(mediator.holderOf('memory')).toBeUndefined();
    expect(mediator.holderOf('quota:model')).toBeUndefined();
    expect(granted(events)).toEqual([]);
  });

  it('stays closed and throws nothing when closed twice', async () => {
    const { clock, mediator } = setup();
    await mediator.acquire('a', 'memory');
    const b = track(mediator.acquire('b', 'memory'));
    mediator.close();
    expect(() => mediator.close()).not.toThrow();
    await clock.settle();
    expect(isResilienceError(b.error, 'ERR_CLOSED')).toBe(true);
    await expect(mediator.acquire('c', 'file:notes.md')).rejects.toMatchObject({
      code: 'ERR_CLOSED',
    });
    expect(mediator.holderOf('file:notes.md')).toBeUndefined();
  });

  it('keeps a lease granted before close live, and its release after close frees it without granting', async () => {
    const { clock, mediator, events } = setup();
    const lease = await mediator.acquire('a', 'memory');
    mediator.close();
    expect(lease.held).toBe(true); // closing is not revocation: the holder may finish its write
    expect(mediator.guard(lease, (token) => token)).toBe(1);
    const late = track(mediator.acquire('b', 'memory'));
    expect(() => lease.release()).not.toThrow();
    expect(() => lease.release()).not.toThrow();
    await clock.settle();
    expect(isResilienceError(late.error, 'ERR_CLOSED')).toBe(true);
    expect(lease.held).toBe(false);
    expect(mediator.holderOf('memory')).toBeUndefined();
    expect(granted(events)).toHaveLength(1); // a's own grant, before close
    expect(events.at(-1)).toMatchObject({ type: 'lock.released', owner: 'a', cause: 'release' });
  });

  it('leaves no timer and no wait behind for a request refused after close', async () => {
    const { clock, mediator } = setup(1000);
    const held = await mediator.acquire('a', 'memory');
    mediator.close();
    const refused = track(mediator.acquire('b', 'memory'));
    await clock.settle();
    expect(isResilienceError(refused.error, 'ERR_CLOSED')).toBe(true);
    expect(clock.pendingTimers).toBe(0);
    expect(mediator.waitForGraph().size).toBe(0);
    expect(mediator.holderOf('memory')).toMatchObject({ owner: 'a', token: held.token });
    held.release();
    expect(mediator.holderOf('memory')).toBeUndefined();
  });
});

describe('ResourceMediator: options', () => {
  it.each([
    ['clock', { clock: undefined }],
    ['timeoutMs', { timeoutMs: -1 }],
    ['resources', { resources: 'memory' }],
  ])('rejects a bad %s naming it', (field, bad) => {
    const error = thrown(
      () => new ResourceMediator({ clock: new TestClock(), ...(bad as object) } as never),
    );
    expect((error as { field: string }).field).toBe(field);
  });
});
