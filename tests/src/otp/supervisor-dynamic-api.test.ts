// docs/semantics.md section 9 (items 41-43): results of the dynamic-child API.
import {
  countChildren,
  deleteChild,
  isPid,
  type Pid,
  startChild,
  startDynamicChild,
  supervisorChild,
  terminateChild,
  whichChildren,
} from '@warden/core';
import { describe, expect, it } from 'vitest';
import {
  createHarness,
  pause,
  pidOf,
  startUnderParent,
  worker,
  workerSpec,
} from './supervisor-harness.js';

describe('9 startChild with an existing id', () => {
  it('returns already_started with the pid while the child runs, already_present once it does not (item 41)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, { children: [workerSpec('a')] });
    const a = await pidOf(h.node, sup, 'a');
    expect(await startChild(h.node, sup, workerSpec('a'))).toEqual({
      ok: false,
      error: 'already_started',
      pid: a,
    });
    await terminateChild(h.node, sup, 'a');
    expect(await startChild(h.node, sup, workerSpec('a'))).toEqual({
      ok: false,
      error: 'already_present',
    });
    expect(h.node.processes().filter((p) => p.key !== h.probe.pid.key)).toHaveLength(2);
  });

  it('also answers for a child added with startChild itself (item 41)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, { children: [] });
    const first = await startChild(h.node, sup, workerSpec('d'));
    expect(first.ok).toBe(true);
    expect(await startChild(h.node, sup, workerSpec('d'))).toEqual({
      ok: false,
      error: 'already_started',
      pid: first.ok ? first.pid : undefined,
    });
  });
});

describe('9 Dynamic changes and restarts', () => {
  it('loses children added dynamically, and restores deleted static ones, when its parent restarts it (item 42)', async () => {
    const h = createHarness();
    const { sup: top } = await startUnderParent(h.node, {
      children: [
        supervisorChild('inner', { children: [workerSpec('static1'), workerSpec('static2')] }),
      ],
    });
    const inner = await pidOf(h.node, top, 'inner');
    expect((await startChild(h.node, inner, workerSpec('added'))).ok).toBe(true);
    await terminateChild(h.node, inner, 'static2');
    expect(await deleteChild(h.node, inner, 'static2')).toEqual({ ok: true });
    expect((await whichChildren(h.node, inner)).map((c) => c.id)).toEqual(['static1', 'added']);
    h.node.exit(inner, 'kill');
    await h.clock.settle();
    const restarted = await pidOf(h.node, top, 'inner');
    expect(restarted).not.toEqual(inner);
    const rows = await whichChildren(h.node, restarted);
    expect(rows.map((c) => c.id)).toEqual(['static1', 'static2']);
    expect(rows.every((c) => isPid(c.pid))).toBe(true);
  });

  it('starts a restarted simple_one_for_one supervisor with no dynamic children (item 42)', async () => {
    const h = createHarness();
    const { sup: top } = await startUnderParent(h.node, {
      children: [
        supervisorChild('pool', {
          strategy: 'simple_one_for_one',
          children: [workerSpec('template')],
        }),
      ],
    });
    const pool = await pidOf(h.node, top, 'pool');
    for (let i = 0; i < 3; i++) await startDynamicChild(h.node, pool);
    expect(await whichChildren(h.node, pool)).toHaveLength(3);
    h.node.exit(pool, 'kill');
    await h.clock.settle();
    expect(await whichChildren(h.node, await pidOf(h.node, top, 'pool'))).toEqual([]);
  });
});

describe('9 countChildren', () => {
  it('counts specs, running children, supervisors and workers (item 43)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      children: [
        workerSpec('w1'),
        workerSpec('w2'),
        supervisorChild('s1', { children: [workerSpec('x')] }),
        workerSpec('w3'),
      ],
    });
    expect(await countChildren(h.node, sup)).toEqual({
      specs: 4,
      active: 4,
      supervisors: 1,
      workers: 3,
    });
    await terminateChild(h.node, sup, 'w2');
    await terminateChild(h.node, sup, 's1');
    expect(await countChildren(h.node, sup)).toEqual({
      specs: 4,
      active: 2,
      supervisors: 1,
      workers: 3,
    });
  });

  it('counts one spec under simple_one_for_one and every dynamic child as active and as its type (item 43)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      strategy: 'simple_one_for_one',
      children: [workerSpec('template')],
    });
    expect(await countChildren(h.node, sup)).toEqual({
      specs: 1,
      active: 0,
      supervisors: 0,
      workers: 0,
    });
    for (let i = 0; i < 3; i++) await startDynamicChild(h.node, sup);
    expect(await countChildren(h.node, sup)).toEqual({
      specs: 1,
      active: 3,
      supervisors: 0,
      workers: 3,
    });
  });

  it('does not count a dynamic child waiting for a restart retry as active (item 43)', async () => {
    const h = createHarness();
    let failing = false;
    const { sup } = await startUnderParent(h.node, {
      strategy: 'simple_one_for_one',
      intensity: 10,
      children: [
        {
          id: 'template',
          start: async (ctx) => {
            if (failing) {
              await pause(ctx, 100);
              throw new Error('cannot start');
            }
            return ctx.startLink(worker, { args: { id: 'dyn' } });
          },
        },
      ],
    });
    const pids: Pid[] = [];
    for (let i = 0; i < 3; i++) {
      const started = await startDynamicChild(h.node, sup);
      if (started.ok && isPid(started.pid)) pids.push(started.pid);
    }
    failing = true;
    h.node.send(pids[0] as Pid, 'crash');
    await h.clock.settle(); // the restart of the first child is failing
    failing = false;
    const counts = countChildren(h.node, sup);
    const which = whichChildren(h.node, sup);
    await h.clock.advance(100);
    expect((await which).map((r) => r.pid)).toEqual(['restarting', pids[1], pids[2]]);
    expect(await counts).toEqual({ specs: 1, active: 2, supervisors: 0, workers: 3 });
  });

  it('counts dynamic supervisors under supervisors for a supervisor template (item 43)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      strategy: 'simple_one_for_one',
      children: [supervisorChild('template', { children: [] })],
    });
    for (let i = 0; i < 2; i++) await startDynamicChild(h.node, sup);
    const counts = await countChildren(h.node, sup);
    expect([counts.active, counts.supervisors, counts.workers]).toEqual([2, 2, 0]);
  });

  it('starts 1,000 children from one simple_one_for_one template, and countChildren agrees with whichChildren', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      strategy: 'simple_one_for_one',
      children: [workerSpec('template')],
    });
    const pids = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const started = await startDynamicChild(h.node, sup);
      if (started.ok && isPid(started.pid)) pids.add(started.pid.key);
    }
    expect(pids.size).toBe(1000);
    const rows = await whichChildren(h.node, sup);
    const counts = await countChildren(h.node, sup);
    expect(rows).toHaveLength(1000);
    expect(rows.every((r) => r.id === undefined && r.type === 'worker')).toBe(true);
    expect(new Set(rows.map((r) => (r.pid as Pid).key))).toEqual(pids);
    expect(counts.active).toBe(rows.length);
    expect(counts.workers).toBe(rows.length);
    expect(rows.every((r) => h.node.isAlive(r.pid as Pid))).toBe(true);
  });
});
