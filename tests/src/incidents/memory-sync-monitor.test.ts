// Incident replay: the memory-sync hang, seen by an anomaly monitor. The same world as
// memory-sync-hang.test.ts, with no spawn-once guard (the original bug). A subagent-count monitor
// that expects at most one memory sync fires when the second one starts, at minute 12, more than
// twenty minutes of virtual time before the old watchdog notices the hang (about minute 35); its
// action stops the syncs' subtree, so the pile-up never forms and nothing hangs.

import {
  isAnomalyStop,
  type MonitorFiring,
  startMonitors,
  subagentCountMonitor,
} from '@warden/agents';
import type { NodeEvent } from '@warden/core';
import { describe, expect, it } from 'vitest';
import { buildWorld, INCIDENT, MINUTE, run, type World } from './memory-sync-world.js';

const minutes = (ms: number) => ms / MINUTE;

/** When the watchdog first said a sync had gone silent, in minutes; undefined if it never did. */
function watchdogFiredAt(world: World): number | undefined {
  const silent = world.events.find((e) => e.type === 'watchdog.silent') as
    | { time: number }
    | undefined;
  return silent === undefined ? undefined : minutes(silent.time);
}

describe('memory-sync hang: the subagent-count monitor', () => {
  it('fires at the second sync, minutes of virtual time before the watchdog would have', async () => {
    // Alert only: the world goes on as in the original incident, so both times can be read.
    const world = await buildWorld(INCIDENT, { guarded: false });
    const monitors = startMonitors(world.node, [
      subagentCountMonitor({ ceilings: { 'memory-sync': 1 }, action: { kind: 'alert' } }),
    ]);
    const alive = await run(world, 60);
    const [first] = monitors.firings;
    expect(first).toMatchObject({
      monitor: 'subagent-count',
      key: 'memory-sync',
      value: 2,
      threshold: 1,
    });
    const firedAt = minutes((first as MonitorFiring).time);
    expect(firedAt).toBe(12); // the firing at minute 12 found the backlog sync still at work
    expect(alive.slice(0, 11).every((n) => n <= 1)).toBe(true); // no false alarm before
    // The watchdog of memory-sync-hang.test.ts: about 35 minutes.
    const watchdogAt = watchdogFiredAt(world);
    expect(watchdogAt).toBeGreaterThan(30);
    expect((watchdogAt as number) - firedAt).toBeGreaterThanOrEqual(20);
    // One incident, one alarm: the count stayed over the ceiling and it did not fire again.
    expect(monitors.firings.length).toBe(1);
  });

  it('stops the subtree with a typed reason: the pile-up never forms and nothing hangs', async () => {
    const world = await buildWorld(INCIDENT, { guarded: false });
    const stream: NodeEvent[] = [];
    world.node.inspect((e) => stream.push(e));
    const monitors = startMonitors(world.node, [
      subagentCountMonitor({ ceilings: { 'memory-sync': 1 }, action: { kind: 'stop-subtree' } }),
    ]);
    const alive = await run(world, 60);
    expect(monitors.firings.map((f) => minutes(f.time))).toEqual([12]);
    // The syncs' supervisor ended with the monitor's reason, its children with it.
    const sup = monitors.firings[0]?.subtree;
    const exited = stream.find(
      (e): e is Extract<NodeEvent, { type: 'actor.exited' }> =>
        e.type === 'actor.exited' && e.pid.key === sup?.key,
    );
    expect(exited?.time).toBe(12 * MINUTE);
    const reason = exited?.reason as { tag: string; detail: unknown };
    expect(reason.tag).toBe('shutdown');
    expect(isAnomalyStop(reason.detail)).toBe(true);
    expect(reason.detail).toMatchObject({
      monitor: 'subagent-count',
      key: 'memory-sync',
      value: 2,
    });
    // The event and the action's outcome are on the node's stream.
    const published = stream.flatMap((e) => (e.type === 'published' ? [e.event.type] : []));
    expect(published).toContain('monitor.fired');
    expect(published).toContain('monitor.acted');
    // Two syncs ever (the backlog one and the duplicate of minute 12, stopped at once), none
    // alive from minute 12 on, and the watchdog never fires.
    expect(world.syncs.length).toBe(2);
    expect(alive.slice(0, 11).every((n) => n === 1 || n === 0)).toBe(true);
    expect(alive.slice(11).every((n) => n === 0)).toBe(true);
    expect(watchdogFiredAt(world)).toBeUndefined();
  });
});
