// docs/semantics.md section 9 (items 7, 35, 43): how terminateChild and getChildSpec find a child,
// as OTP's find_child does. A static supervisor knows its children by id; a simple_one_for_one
// supervisor by pid, and takes the pid of a process that is no longer alive for a dynamic child
// that already exited.
import {
  type ChildSpec,
  getChildSpec,
  isPid,
  Pid,
  startDynamicChild,
  terminateChild,
  whichChildren,
} from '@warden/core';
import { describe, expect, it } from 'vitest';
import { idle } from '../support/process-fixtures.js';
import {
  createHarness,
  type Harness,
  pidOf,
  startUnderParent,
  workerSpec,
} from './supervisor-harness.js';

async function startDynamic(h: Harness, sup: Pid): Promise<Pid> {
  const started = await startDynamicChild(h.node, sup);
  if (!started.ok || !isPid(started.pid)) throw new Error('the dynamic child did not start');
  return started.pid;
}

async function simpleSupervisor(h: Harness, template: ChildSpec, extra = {}): Promise<Pid> {
  const { sup } = await startUnderParent(h.node, {
    strategy: 'simple_one_for_one',
    intensity: 5,
    ...extra,
    children: [template],
  });
  return sup;
}

describe('9 terminateChild by pid', () => {
  it('answers not_found for a pid under a static supervisor and leaves the child running (item 35)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, { children: [workerSpec('a')] });
    const a = await pidOf(h.node, sup, 'a');
    expect(await terminateChild(h.node, sup, a)).toEqual({ ok: false, error: 'not_found' });
    await h.clock.settle();
    expect(h.node.isAlive(a)).toBe(true);
    expect(await whichChildren(h.node, sup)).toEqual([{ id: 'a', pid: a, type: 'worker' }]);
    expect(h.eventsOf('supervisor.child_exited')).toEqual([]);
  });

  it('answers ok for the pid of a dynamic child that has already exited (item 7)', async () => {
    const h = createHarness();
    const sup = await simpleSupervisor(h, workerSpec('tpl', { restart: 'temporary' }));
    const gone = await startDynamic(h, sup);
    const staying = await startDynamic(h, sup);
    h.node.send(gone, { exit: 'normal' });
    await h.clock.settle();
    expect(h.node.isAlive(gone)).toBe(false);
    expect(await terminateChild(h.node, sup, gone)).toEqual({ ok: true });
    expect(await whichChildren(h.node, sup)).toEqual([
      { id: undefined, pid: staying, type: 'worker' },
    ]);
    expect(h.node.isAlive(staying)).toBe(true);
  });

  it('answers not_found for a live process that is not one of its dynamic children (item 7)', async () => {
    const h = createHarness();
    const sup = await simpleSupervisor(h, workerSpec('tpl'));
    await startDynamic(h, sup);
    const stranger = h.node.spawn(idle);
    expect(await terminateChild(h.node, sup, stranger)).toEqual({ ok: false, error: 'not_found' });
    expect(h.node.isAlive(stranger)).toBe(true);
    // A pid of another node is not known to be dead: not found either.
    const remote = new Pid('elsewhere', 'x', 1);
    expect(await terminateChild(h.node, sup, remote)).toEqual({ ok: false, error: 'not_found' });
    expect(await whichChildren(h.node, sup)).toHaveLength(1);
  });

  it('stops the restart of a dynamic child waiting for one, named by the pid that exited (item 7)', async () => {
    const h = createHarness();
    const backoff = { minMs: 100, maxMs: 100, jitter: 'none' } as const;
    const sup = await simpleSupervisor(h, workerSpec('tpl'), { backoff });
    const child = await startDynamic(h, sup);
    h.node.send(child, 'crash');
    await h.clock.settle();
    expect(await whichChildren(h.node, sup)).toEqual([
      { id: undefined, pid: 'restarting', type: 'worker' },
    ]);
    expect(await terminateChild(h.node, sup, child)).toEqual({ ok: true });
    expect(await whichChildren(h.node, sup)).toEqual([]);
    await h.clock.advance(1000);
    expect(await whichChildren(h.node, sup)).toEqual([]);
    expect(h.eventsOf('supervisor.child_started')).toHaveLength(1);
  });
});

describe('9 getChildSpec (OTP get_childspec/2)', () => {
  it("returns a static child's spec by id with every default filled in (item 43)", async () => {
    const h = createHarness();
    const a = workerSpec('a', { restart: 'transient' });
    const { sup } = await startUnderParent(h.node, { children: [a, workerSpec('b')] });
    expect(await getChildSpec(h.node, sup, 'a')).toEqual({
      ok: true,
      spec: {
        id: 'a',
        start: a.start,
        restart: 'transient',
        shutdown: 5000,
        type: 'worker',
        significant: false,
      },
    });
  });

  it('answers not_found for an unknown id, and for a pid under a static supervisor (item 43)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, { children: [workerSpec('a')] });
    const a = await pidOf(h.node, sup, 'a');
    expect(await getChildSpec(h.node, sup, 'nope')).toEqual({ ok: false, error: 'not_found' });
    expect(await getChildSpec(h.node, sup, a)).toEqual({ ok: false, error: 'not_found' });
  });

  it('still returns the spec of a static child that is not running (item 43)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, { children: [workerSpec('a')] });
    await terminateChild(h.node, sup, 'a');
    expect(await getChildSpec(h.node, sup, 'a')).toMatchObject({ ok: true, spec: { id: 'a' } });
  });

  it("returns a simple_one_for_one supervisor's template for a child's pid, a pid that exited, and the template's id (item 43)", async () => {
    const h = createHarness();
    const tpl = workerSpec('tpl', { restart: 'temporary', shutdown: 'brutal_kill' });
    const sup = await simpleSupervisor(h, tpl);
    const live = await startDynamic(h, sup);
    const gone = await startDynamic(h, sup);
    h.node.send(gone, { exit: 'normal' });
    await h.clock.settle();
    const template = {
      ok: true,
      spec: {
        id: 'tpl',
        start: tpl.start,
        restart: 'temporary',
        shutdown: 'brutal_kill',
        type: 'worker',
        significant: false,
      },
    };
    expect(await getChildSpec(h.node, sup, live)).toEqual(template);
    expect(await getChildSpec(h.node, sup, gone)).toEqual(template);
    expect(await getChildSpec(h.node, sup, 'tpl')).toEqual(template);
    expect(await getChildSpec(h.node, sup, 'other')).toEqual({ ok: false, error: 'not_found' });
    const stranger = h.node.spawn(idle);
    expect(await getChildSpec(h.node, sup, stranger)).toEqual({ ok: false, error: 'not_found' });
  });
});
