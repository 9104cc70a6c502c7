// warden's restart backoff (beyond OTP: docs/semantics.md, "Beyond OTP"): a supervisor waits before restarting
// a crashed child, and restart intensity still decides when to give up.
import {
  deleteChild,
  isPid,
  type Pid,
  type RestartBackoff,
  restartChild,
  whichChildren,
} from '@warden/core';
import { describe, expect, it } from 'vitest';
import {
  createHarness,
  type Harness,
  pidOf,
  startUnderParent,
  workerSpec,
} from './supervisor-harness.js';

const BACKOFF: RestartBackoff = { minMs: 100, maxMs: 1000, jitter: 'none' };

async function crashAndSettle(h: Harness, sup: Pid, id: string): Promise<Pid> {
  const pid = await pidOf(h.node, sup, id);
  h.node.send(pid, 'crash');
  await h.clock.settle();
  return pid;
}

async function pidState(h: Harness, sup: Pid): Promise<unknown> {
  const pid = (await whichChildren(h.node, sup))[0]?.pid;
  return isPid(pid) ? 'running' : pid;
}

describe('Restart backoff through a supervisor', () => {
  it('restarts a crashed child only after the delay, showing it as restarting meanwhile', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      intensity: 5,
      period: 60_000,
      backoff: BACKOFF,
      children: [workerSpec('a')],
    });
    const a0 = await crashAndSettle(h, sup, 'a');
    expect(h.eventsOf('supervisor.restart')).toMatchObject([{ id: 'a', time: 0, delayMs: 100 }]);
    expect(await pidState(h, sup)).toBe('restarting');
    expect(await restartChild(h.node, sup, 'a')).toEqual({ ok: false, error: 'restarting' });
    expect(await deleteChild(h.node, sup, 'a')).toEqual({ ok: false, error: 'restarting' });
    await h.clock.advance(99);
    expect(await pidState(h, sup)).toBe('restarting');
    await h.clock.advance(1);
    const a1 = await pidOf(h.node, sup, 'a');
    expect(a1).not.toEqual(a0);
    expect(h.eventsOf('supervisor.child_started').at(-1)).toMatchObject({ id: 'a', time: 100 });
  });

  it('doubles the delay for each restart inside the intensity window, up to maxMs', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      intensity: 10,
      period: 60_000,
      backoff: BACKOFF,
      children: [workerSpec('a')],
    });
    for (let i = 0; i < 5; i++) {
      await crashAndSettle(h, sup, 'a');
      await h.clock.advance(h.clock.nextTimerIn() ?? 0);
    }
    expect(h.eventsOf('supervisor.restart').map((e) => e.delayMs)).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect(
      h
        .eventsOf('supervisor.child_started')
        .slice(1)
        .map((e) => e.time),
    ).toEqual([100, 300, 700, 1500, 2500]);
  });

  it('starts again from minMs once earlier restarts have left the window', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      intensity: 5,
      period: 1000,
      backoff: BACKOFF,
      children: [workerSpec('a')],
    });
    await crashAndSettle(h, sup, 'a');
    await h.clock.advance(100);
    await crashAndSettle(h, sup, 'a');
    await h.clock.advance(200);
    await h.clock.advance(5000);
    await crashAndSettle(h, sup, 'a');
    expect(h.eventsOf('supervisor.restart').map((e) => e.delayMs)).toEqual([100, 200, 100]);
  });

  it('draws the delay with full jitter from the given random source', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      intensity: 5,
      backoff: { minMs: 100, maxMs: 1000, jitter: 'full', random: () => 0.25 },
      children: [workerSpec('a')],
    });
    await crashAndSettle(h, sup, 'a');
    await h.clock.advance(24);
    expect(await pidState(h, sup)).toBe('restarting');
    await h.clock.advance(1);
    expect(await pidState(h, sup)).toBe('running');
    expect(h.eventsOf('supervisor.restart')).toMatchObject([{ delayMs: 25 }]);
  });

  it('still escalates when intensity is exceeded, without waiting for a delay', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      intensity: 2,
      period: 60_000,
      backoff: BACKOFF,
      children: [workerSpec('a')],
    });
    h.probe.monitor(sup);
    for (let i = 0; i < 2; i++) {
      await crashAndSettle(h, sup, 'a');
      await h.clock.advance(h.clock.nextTimerIn() ?? 0);
    }
    expect(h.clock.now()).toBe(300);
    await crashAndSettle(h, sup, 'a');
    expect((await h.probe.expectDown(sup, undefined, { within: 0 })).reason).toBe('shutdown');
    expect(h.eventsOf('supervisor.escalated')).toMatchObject([{ time: 300, restarts: 3 }]);
  });

  it('starts nothing after the delay when the supervisor was stopped during it', async () => {
    const h = createHarness();
    const { sup, stopSupervisor } = await startUnderParent(h.node, {
      intensity: 5,
      backoff: BACKOFF,
      children: [workerSpec('a'), workerSpec('b')],
    });
    const b = await pidOf(h.node, sup, 'b');
    await crashAndSettle(h, sup, 'a');
    h.probe.monitor(sup);
    stopSupervisor();
    expect((await h.probe.expectDown(sup, undefined, { within: 0 })).reason).toBe('shutdown');
    expect(h.node.isAlive(b)).toBe(false);
    const started = h.eventsOf('supervisor.child_started').length;
    await h.clock.advance(10_000);
    expect(h.eventsOf('supervisor.child_started')).toHaveLength(started);
    expect(h.clock.pendingTimers).toBe(0);
  });
});
