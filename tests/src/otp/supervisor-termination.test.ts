// docs/semantics.md section 7, item 34: how a terminating supervisor stops all its children.
import { type ExitReason, isPid, type Pid, startDynamicChild } from '@warden/core';
import { describe, expect, it } from 'vitest';
import {
  createHarness,
  type Harness,
  type Seen,
  startUnderParent,
  trapping,
  trappingSpec,
  workerSpec,
} from './supervisor-harness.js';

async function startDynamic(h: Harness, sup: Pid, n: number): Promise<Pid[]> {
  const pids: Pid[] = [];
  for (let i = 0; i < n; i++) {
    const started = await startDynamicChild(h.node, sup);
    if (!started.ok || !isPid(started.pid)) throw new Error('start failed');
    pids.push(started.pid);
  }
  return pids;
}

describe('7 Supervisor termination', () => {
  it('stops its children in reverse start order when it terminates (item 34)', async () => {
    const h = createHarness();
    const log: string[] = [];
    const { sup, stopSupervisor } = await startUnderParent(h.node, {
      children: ['a', 'b', 'c'].map((id) => workerSpec(id, { trap: true, log })),
    });
    h.probe.monitor(sup);
    stopSupervisor();
    expect((await h.probe.expectDown(sup)).reason).toBe('shutdown');
    expect(log).toEqual(['terminate:c', 'terminate:b', 'terminate:a']);
  });

  it('stops simple_one_for_one children in parallel with one shared timer (item 34)', async () => {
    const h = createHarness();
    const seen: Seen[] = [];
    const { sup, stopSupervisor } = await startUnderParent(h.node, {
      strategy: 'simple_one_for_one',
      children: [trappingSpec('template', 1000, trapping(seen))],
    });
    const pids = await startDynamic(h, sup, 3);
    h.probe.monitor(sup);
    stopSupervisor();
    await h.clock.settle();
    // Every child got the shutdown signal before any was killed.
    expect(seen.map((s) => [s.reason, s.time])).toEqual([
      ['shutdown', 0],
      ['shutdown', 0],
      ['shutdown', 0],
    ]);
    expect(pids.every((p) => h.node.isAlive(p))).toBe(true);
    const down = await h.probe.expectDown(sup, undefined, { within: 5000 });
    expect(down.reason).toBe('shutdown');
    // One shared timer: everything is over after one timeout, not three.
    const exits = h.eventsOf('actor.exited');
    for (const pid of [...pids, sup]) {
      expect(exits.find((e) => e.pid.key === pid.key)).toMatchObject({ time: 1000 });
    }
    expect(exits.filter((e) => pids.some((p) => p.key === e.pid.key)).map((e) => e.reason)).toEqual(
      ['killed', 'killed', 'killed'],
    );
  });

  it('reports a shutdown_error for each simple_one_for_one child killed when the shared timer runs out (items 30, 34)', async () => {
    const h = createHarness();
    const { sup, stopSupervisor } = await startUnderParent(h.node, {
      strategy: 'simple_one_for_one',
      children: [trappingSpec('template', 1000, trapping([]))],
    });
    await startDynamic(h, sup, 2);
    h.probe.monitor(sup);
    stopSupervisor();
    await h.probe.expectDown(sup, undefined, { within: 5000 });
    // As for a static child (and OTP's wait_dynamic_children), killed after a timeout is an error.
    expect(h.eventsOf('supervisor.shutdown_error').map((e) => e.reason)).toEqual([
      'killed',
      'killed',
    ]);
  });

  it('reports a shutdown_error for a permanent simple_one_for_one child that exits normal when told to shut down (items 30, 34)', async () => {
    const h = createHarness();
    const quit = (reason: ExitReason) => trapping([], (ctx) => ctx.exit(reason));
    const { sup, stopSupervisor } = await startUnderParent(h.node, {
      strategy: 'simple_one_for_one',
      children: [trappingSpec('template', 1000, quit('normal'))],
    });
    await startDynamic(h, sup, 1);
    h.probe.monitor(sup);
    stopSupervisor();
    await h.probe.expectDown(sup);
    expect(h.eventsOf('supervisor.shutdown_error')).toMatchObject([{ reason: 'normal' }]);
  });

  it('accepts normal from a transient simple_one_for_one child told to shut down (items 30, 34)', async () => {
    const h = createHarness();
    const quit = (reason: ExitReason) => trapping([], (ctx) => ctx.exit(reason));
    const { sup, stopSupervisor } = await startUnderParent(h.node, {
      strategy: 'simple_one_for_one',
      children: [trappingSpec('template', 1000, quit('normal'), { restart: 'transient' })],
    });
    await startDynamic(h, sup, 2);
    h.probe.monitor(sup);
    stopSupervisor();
    expect((await h.probe.expectDown(sup)).reason).toBe('shutdown');
    expect(h.eventsOf('supervisor.shutdown_error')).toEqual([]);
  });
});
