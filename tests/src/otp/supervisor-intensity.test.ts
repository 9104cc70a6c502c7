// docs/semantics.md section 5 (items 23-25): the restart-intensity window on the node's clock, and
// how an escalation travels up a tree.
import { isPid, type Node, type Pid, supervisorChild, whichChildren } from '@warden/core';
import { describe, expect, it } from 'vitest';
import { createHarness, pidOf, startUnderParent, workerSpec } from './supervisor-harness.js';

/** Crashes the running child `id` of `sup` and lets everything settle. */
async function crash(node: Node, sup: Pid, id: string, settle: () => Promise<void>): Promise<void> {
  node.send(await pidOf(node, sup, id), 'crash');
  await settle();
}

describe('5 Restart intensity', () => {
  it('escalates on the first crash when intensity is 0, terminating all children with shutdown (items 23, 24)', async () => {
    const h = createHarness();
    const { sup, parentExits } = await startUnderParent(h.node, {
      intensity: 0,
      children: [workerSpec('a'), workerSpec('b')],
    });
    const b = await pidOf(h.node, sup, 'b');
    h.probe.monitor(sup);
    h.probe.monitor(b);
    await crash(h.node, sup, 'a', () => h.clock.settle());
    expect((await h.probe.expectDown(sup, undefined, { within: 0 })).reason).toBe('shutdown');
    expect((await h.probe.expectDown(b, undefined, { within: 0 })).reason).toBe('shutdown');
    expect(h.eventsOf('supervisor.restart')).toEqual([]);
    expect(h.eventsOf('supervisor.escalated')).toMatchObject([{ supervisor: sup, restarts: 1 }]);
    expect(parentExits).toMatchObject([{ from: sup, reason: 'shutdown' }]);
  });

  it('with the defaults (1 in 5000 ms) restarts once and escalates on the second restart in the window (items 23, 24)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      children: [workerSpec('a'), workerSpec('b')],
    });
    h.probe.monitor(sup);
    await crash(h.node, sup, 'a', () => h.clock.settle());
    expect(h.node.isAlive(sup)).toBe(true);
    expect(h.eventsOf('supervisor.restart')).toMatchObject([{ id: 'a' }]);
    const b = await pidOf(h.node, sup, 'b');
    await h.clock.advance(4999);
    await crash(h.node, sup, 'b', () => h.clock.settle());
    expect((await h.probe.expectDown(sup, undefined, { within: 0 })).reason).toBe('shutdown');
    expect(h.eventsOf('supervisor.escalated')).toMatchObject([{ time: 4999, restarts: 2 }]);
    expect(h.node.isAlive(b)).toBe(false);
    expect(h.node.processes().filter((p) => p.key !== h.probe.pid.key)).toHaveLength(1); // the parent
  });

  it('counts a restart exactly `period` ms after the first one (inclusive threshold, item 23)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, { children: [workerSpec('a')] });
    h.probe.monitor(sup);
    await crash(h.node, sup, 'a', () => h.clock.settle());
    await h.clock.advance(5000);
    await crash(h.node, sup, 'a', () => h.clock.settle());
    expect((await h.probe.expectDown(sup, undefined, { within: 0 })).reason).toBe('shutdown');
    expect(h.eventsOf('supervisor.escalated')).toMatchObject([{ time: 5000 }]);
  });

  it('forgets a restart `period` + 1 ms later (item 23)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, { children: [workerSpec('a')] });
    await crash(h.node, sup, 'a', () => h.clock.settle());
    await h.clock.advance(5001);
    await crash(h.node, sup, 'a', () => h.clock.settle());
    expect(h.node.isAlive(sup)).toBe(true);
    expect(h.eventsOf('supervisor.restart').map((e) => e.time)).toEqual([0, 5001]);
    expect(h.eventsOf('supervisor.escalated')).toEqual([]);
    expect(isPid((await whichChildren(h.node, sup))[0]?.pid)).toBe(true);
  });

  it('keeps only the restarts inside the sliding window when counting (item 23)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      intensity: 2,
      period: 1000,
      children: [workerSpec('a')],
    });
    for (const at of [0, 600, 1200]) {
      await h.clock.advance(at - h.clock.now());
      await crash(h.node, sup, 'a', () => h.clock.settle());
    }
    // At 1200 the window is [200, 1200]: the restart at 0 has left it, so 2 restarts are kept.
    expect(h.node.isAlive(sup)).toBe(true);
    await h.clock.advance(300);
    await crash(h.node, sup, 'a', () => h.clock.settle());
    expect(h.node.isAlive(sup)).toBe(false);
    expect(h.eventsOf('supervisor.escalated')).toMatchObject([{ time: 1500, restarts: 3 }]);
  });
});

describe('5 Escalation up the tree', () => {
  it('delivers an escalation to the parent supervisor as an ordinary child exit, which restarts it (item 25)', async () => {
    const h = createHarness();
    const { sup: top } = await startUnderParent(h.node, {
      children: [
        supervisorChild('inner', { intensity: 0, children: [workerSpec('w')] }),
        workerSpec('sibling'),
      ],
    });
    const inner = await pidOf(h.node, top, 'inner');
    const sibling = await pidOf(h.node, top, 'sibling');
    await crash(h.node, inner, 'w', () => h.clock.settle());
    expect(h.node.isAlive(inner)).toBe(false);
    expect(h.eventsOf('supervisor.child_exited')).toMatchObject([
      { supervisor: inner, id: 'w' },
      { supervisor: top, id: 'inner', pid: inner, reason: 'shutdown' },
    ]);
    expect(h.eventsOf('supervisor.restart')).toMatchObject([{ supervisor: top, id: 'inner' }]);
    const newInner = await pidOf(h.node, top, 'inner');
    expect(newInner).not.toEqual(inner);
    expect(isPid(await pidOf(h.node, newInner, 'w'))).toBe(true);
    expect(await pidOf(h.node, top, 'sibling')).toEqual(sibling);
  });

  it("lets the parent's restart type decide: a transient child supervisor that escalates with shutdown is not restarted (item 25)", async () => {
    const h = createHarness();
    const { sup: top } = await startUnderParent(h.node, {
      children: [
        supervisorChild(
          'inner',
          { intensity: 0, children: [workerSpec('w')] },
          { restart: 'transient' },
        ),
      ],
    });
    const inner = await pidOf(h.node, top, 'inner');
    await crash(h.node, inner, 'w', () => h.clock.settle());
    expect(h.node.isAlive(inner)).toBe(false);
    expect(h.node.isAlive(top)).toBe(true);
    expect(await whichChildren(h.node, top)).toEqual([
      { id: 'inner', pid: undefined, type: 'supervisor' },
    ]);
    expect(h.eventsOf('supervisor.restart')).toEqual([]);
  });

  it('gives up at the top after (C+1)(T+1) worker crashes, each intensity plus one multiplied along the path, not C x T (item 25)', async () => {
    const h = createHarness();
    const C = 2; // the child supervisor's intensity
    const T = 3; // the top supervisor's intensity
    const { sup: top, parentExits } = await startUnderParent(h.node, {
      intensity: T,
      period: 60_000,
      children: [
        supervisorChild('inner', { intensity: C, period: 60_000, children: [workerSpec('w')] }),
      ],
    });
    let crashes = 0;
    for (let i = 0; i < 100 && h.node.isAlive(top); i++) {
      const inner = await pidOf(h.node, top, 'inner');
      await crash(h.node, inner, 'w', () => h.clock.settle());
      crashes++;
    }
    expect(h.node.isAlive(top)).toBe(false);
    expect(crashes).toBe((C + 1) * (T + 1));
    const restarts = h.eventsOf('supervisor.restart');
    expect(restarts.filter((e) => e.id === 'w')).toHaveLength(C * (T + 1));
    expect(restarts.filter((e) => e.id === 'inner')).toHaveLength(T);
    expect(h.eventsOf('supervisor.escalated')).toHaveLength(T + 2); // each inner, then the top
    expect(parentExits).toMatchObject([{ from: top, reason: 'shutdown' }]);
  });
});
