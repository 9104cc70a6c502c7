// Issue 5.5: spawnOnce on a supervisor: one child per logical key, conflict policies, ceilings.
import {
  type ChildSpec,
  createNode,
  type Node,
  type Pid,
  startSupervisor,
  whichChildren,
} from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import {
  isResilienceError,
  type ResilienceEvent,
  SpawnOnceGuard,
  type SpawnOnceResult,
} from '../src/index.js';

/** A worker that runs until it receives 'done' (then exits normally) or 'crash'. */
const worker = async (ctx: { receive: () => Promise<unknown> }) => {
  const m = await ctx.receive();
  if (m === 'crash') throw new Error('crashed');
};

async function dynamicSetup(
  options: Partial<ConstructorParameters<typeof SpawnOnceGuard>[0]> = {},
) {
  const clock = new TestClock();
  const node = createNode({ name: 'spawn', clock });
  const sup = (await startSupervisor(node, {
    strategy: 'simple_one_for_one',
    children: [{ id: 'task', start: { behaviour: worker }, restart: 'temporary' }],
  })) as Pid;
  const events: ResilienceEvent[] = [];
  const guard = new SpawnOnceGuard({
    node,
    supervisor: sup,
    observer: (e) => events.push(e),
    ...options,
  });
  return { clock, node, sup, guard, events };
}

const alive = async (node: Node, sup: Pid) => (await whichChildren(node, sup)).length;
const pidOf = (r: SpawnOnceResult) => (r.outcome === 'queued' ? r.running : r.pid);

describe('spawnOnce: one child per key', () => {
  it('starts a child the first time and joins the running one after', async () => {
    const { node, sup, guard } = await dynamicSetup();
    const first = await guard.spawnOnce('memory-sync', { extra: undefined });
    const second = await guard.spawnOnce('memory-sync', { extra: undefined });
    expect(first.outcome).toBe('started');
    expect(second).toEqual({ outcome: 'joined', pid: pidOf(first) });
    expect(await alive(node, sup)).toBe(1);
  });

  it('starts only one child for concurrent calls with the same key', async () => {
    const { clock, node, sup, guard } = await dynamicSetup();
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => guard.spawnOnce('k', { extra: undefined })),
    );
    await clock.settle();
    expect(results.map((r) => r.outcome).sort()).toEqual(['joined', 'joined', 'joined', 'started']);
    expect(new Set(results.map((r) => pidOf(r).key)).size).toBe(1);
    expect(await alive(node, sup)).toBe(1);
  });

  it('frees the key when the child exits, learnt through a monitor', async () => {
    const { clock, node, guard, events } = await dynamicSetup();
    const first = pidOf(await guard.spawnOnce('k', { extra: undefined }));
    node.send(first, 'done');
    await clock.settle();
    expect(guard.running('k')).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(['spawn.started', 'spawn.ended']);
    const second = await guard.spawnOnce('k', { extra: undefined });
    expect(second.outcome).toBe('started');
    expect(pidOf(second).key).not.toBe(first.key);
  });
});

describe('spawnOnce: conflict policies', () => {
  it('rejects a duplicate with ERR_ALREADY_RUNNING under reject', async () => {
    const { guard, events } = await dynamicSetup({ policy: 'reject' });
    await guard.spawnOnce('k', { extra: undefined });
    await expect(guard.spawnOnce('k', { extra: undefined })).rejects.toMatchObject({
      code: 'ERR_ALREADY_RUNNING',
    });
    expect(events.at(-1)).toMatchObject({ type: 'spawn.rejected', reason: 'running' });
  });

  it('queues one follow-up that starts when the running child is gone, and joins later duplicates to it', async () => {
    const { clock, node, sup, guard } = await dynamicSetup({ policy: 'queue' });
    const running = pidOf(await guard.spawnOnce('k', { extra: undefined }));
    const q1 = await guard.spawnOnce('k', { extra: undefined });
    const q2 = await guard.spawnOnce('k', { extra: undefined });
    expect(q1.outcome).toBe('queued');
    expect(q2.outcome).toBe('queued');
    if (q1.outcome !== 'queued' || q2.outcome !== 'queued') return;
    expect(q1.next).toBe(q2.next);
    expect(await alive(node, sup)).toBe(1);
    node.send(running, 'done');
    await clock.settle();
    const next = await q1.next;
    expect(next.outcome).toBe('started');
    expect(pidOf(next).key).not.toBe(running.key);
    expect(await alive(node, sup)).toBe(1);
  });

  it('terminates the running child and starts anew under replace', async () => {
    const { node, sup, guard } = await dynamicSetup();
    const old = pidOf(await guard.spawnOnce('k', { extra: undefined }));
    const replaced = await guard.spawnOnce('k', { extra: undefined }, { policy: 'replace' });
    expect(replaced).toMatchObject({ outcome: 'replaced', previous: old });
    expect(node.isAlive(old)).toBe(false);
    expect(guard.running('k')?.key).toBe(pidOf(replaced).key);
    expect(await alive(node, sup)).toBe(1);
  });
});

describe('spawnOnce: waiting callers', () => {
  it("stops a duplicate's wait for a start in flight when its signal aborts; the start goes on", async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'spawn', clock });
    const slowInit = async (ctx: { receive: () => Promise<unknown> }) => {
      await ctx.receive();
    };
    const sup = (await startSupervisor(node, { children: [] })) as Pid;
    const guard = new SpawnOnceGuard({ node, supervisor: sup });
    // A child whose start the supervisor has not answered yet: the first call is in flight.
    const first = guard.spawnOnce('k', { start: { behaviour: slowInit } });
    const caller = new AbortController();
    const second = guard.spawnOnce(
      'k',
      { start: { behaviour: slowInit } },
      { signal: caller.signal },
    );
    caller.abort();
    await expect(second).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect((await first).outcome).toBe('started');
    expect(await alive(node, sup)).toBe(1);
    const aborted = new AbortController();
    aborted.abort();
    await expect(
      guard.spawnOnce('k', { start: { behaviour: slowInit } }, { signal: aborted.signal }),
    ).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });
});

describe('spawnOnce: ceilings and failures', () => {
  it('rejects past the ceiling of a task type with ERR_CEILING_REACHED', async () => {
    const { guard, events } = await dynamicSetup({ ceilings: { 'memory-sync': 2 } });
    await guard.spawnOnce('sync:a', { extra: undefined }, { taskType: 'memory-sync' });
    await guard.spawnOnce('sync:b', { extra: undefined }, { taskType: 'memory-sync' });
    const third = guard.spawnOnce('sync:c', { extra: undefined }, { taskType: 'memory-sync' });
    await expect(third).rejects.toMatchObject({ code: 'ERR_CEILING_REACHED' });
    expect(guard.count('memory-sync')).toBe(2);
    expect(events.at(-1)).toMatchObject({
      type: 'spawn.rejected',
      key: 'sync:c',
      reason: 'ceiling',
    });
  });

  it('fails with ERR_SPAWN_FAILED when the supervisor cannot start the child, and frees the key', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'spawn', clock });
    const sup = (await startSupervisor(node, { children: [] })) as Pid;
    const guard = new SpawnOnceGuard({ node, supervisor: sup });
    const bad: Omit<ChildSpec, 'id'> = {
      start: () => {
        throw new Error('no');
      },
    };
    const error = await guard.spawnOnce('k', bad).catch((e: unknown) => e);
    expect(isResilienceError(error, 'ERR_SPAWN_FAILED')).toBe(true);
    expect(guard.running('k')).toBeUndefined();
  });
});

describe('spawnOnce: static children', () => {
  it('uses the key as the child id and keeps it across a restart by the supervisor (item 14)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'spawn', clock });
    const sup = (await startSupervisor(node, { intensity: 5, children: [] })) as Pid;
    const guard = new SpawnOnceGuard({ node, supervisor: sup });
    const first = pidOf(await guard.spawnOnce('indexer', { start: { behaviour: worker } }));
    expect((await whichChildren(node, sup)).map((c) => c.id)).toEqual(['indexer']);
    node.send(first, 'crash'); // permanent: the supervisor restarts it
    await clock.settle();
    const again = await guard.spawnOnce('indexer', { start: { behaviour: worker } });
    expect(again.outcome).toBe('joined');
    expect(pidOf(again).key).not.toBe(first.key);
    expect(await whichChildren(node, sup)).toHaveLength(1);
  });

  it('frees the key and removes the spec when a transient child ends normally (item 15)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'spawn', clock });
    const sup = (await startSupervisor(node, { children: [] })) as Pid;
    const guard = new SpawnOnceGuard({ node, supervisor: sup });
    const spec = { start: { behaviour: worker }, restart: 'transient' as const };
    const first = pidOf(await guard.spawnOnce('report', spec));
    node.send(first, 'done');
    await clock.settle();
    expect(guard.running('report')).toBeUndefined();
    expect(await whichChildren(node, sup)).toEqual([]);
    expect((await guard.spawnOnce('report', spec)).outcome).toBe('started');
  });
});
