import {
  createNode,
  type Node,
  type NodeEvent,
  type Pid,
  startDynamicChild,
  startSupervisor,
} from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { CircuitBreaker } from '@warden/machines';
import { FeatureFlags } from '@warden/resilience';
import { afterEach, describe, expect, it } from 'vitest';
import { runTask } from '../../src/agent/agent-protocol.js';
import { defineAgent } from '../../src/agent/define-agent.js';
import { isAnomalyStop } from '../../src/monitors/anomaly-action.js';
import { startMonitors } from '../../src/monitors/monitors.js';
import { subagentCountMonitor } from '../../src/monitors/subagent-count-monitor.js';
import { createScriptedModel } from '../../src/testing/index.js';

let node: Node | undefined;
afterEach(() => node?.stop());

function world(): { clock: TestClock; node: Node } {
  const clock = new TestClock();
  node = createNode({ name: 'count', clock });
  return { clock, node };
}

const sleeper = async () => {
  await new Promise(() => {});
};

async function workers(n: Node): Promise<Pid> {
  return (await startSupervisor(n, {
    strategy: 'simple_one_for_one',
    intensity: 10,
    children: [{ id: 'sync', start: { behaviour: sleeper }, restart: 'temporary' }],
  })) as Pid;
}

describe('subagentCountMonitor', () => {
  it("counts a simple_one_for_one supervisor's children by its template id, fires over the ceiling once, and clears", async () => {
    const { clock, node } = world();
    const published: unknown[] = [];
    node.inspect((e) => {
      if (e.type === 'published' && e.event.type.startsWith('monitor.')) published.push(e.event);
    });
    const sup = await workers(node);
    const monitors = startMonitors(node, [
      subagentCountMonitor({ ceilings: { sync: 2 }, action: { kind: 'alert' } }),
    ]);
    const pids: Pid[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await startDynamicChild(node, sup, []);
      if (r.ok) pids.push(r.pid as Pid);
      await clock.advance(1_000);
    }
    expect(monitors.firings).toMatchObject([
      {
        monitor: 'subagent-count',
        key: 'sync',
        value: 3,
        threshold: 2,
        time: 2_000,
        action: 'alert',
      },
    ]);
    expect(monitors.firings[0]?.subtree?.key).toBe(sup.key);
    for (const pid of pids.slice(0, 3)) node.exit(pid, 'kill');
    await clock.advance(0);
    expect(published).toMatchObject([
      { type: 'monitor.fired', key: 'sync', value: 3 },
      { type: 'monitor.acted', outcome: 'alerted' },
      { type: 'monitor.cleared', key: 'sync', value: 2 },
    ]);
    // Over the ceiling again: a new incident, a new alarm.
    for (let i = 0; i < 2; i++) await startDynamicChild(node, sup, []);
    await clock.advance(0);
    expect(monitors.firings.map((f) => f.value)).toEqual([3, 3]);
  });

  it('counts agents by their agent type, whatever child id they run under', async () => {
    const { clock, node } = world();
    const model = createScriptedModel({ clock, latencyMs: 60_000, script: { text: 'done' } });
    const worker = defineAgent({ name: 'worker', model, system: '' });
    const sup = (await startSupervisor(node, {
      strategy: 'simple_one_for_one',
      intensity: 10,
      children: [{ id: 'subagent', start: { behaviour: worker }, restart: 'temporary' }],
    })) as Pid;
    const monitors = startMonitors(node, [
      subagentCountMonitor({ ceilings: { worker: 1 }, action: { kind: 'alert' } }),
    ]);
    for (let i = 0; i < 2; i++) {
      const r = await startDynamicChild(node, sup, []);
      void runTask(node, r.ok ? (r.pid as Pid) : sup, `task ${i}`).catch(() => {});
    }
    await clock.advance(1_000);
    expect(monitors.firings).toMatchObject([{ key: 'worker', value: 2, threshold: 1 }]);
  });

  it('throttles through a flag, or opens a breaker', async () => {
    const { clock, node } = world();
    const sup = await workers(node);
    const flags = new FeatureFlags({ clock, flags: { 'spawn-sync': true } });
    const breaker = new CircuitBreaker({ clock, name: 'model' });
    startMonitors(node, [
      subagentCountMonitor({
        name: 'throttle',
        ceilings: { sync: 1 },
        action: { kind: 'throttle', flags, flag: 'spawn-sync' },
      }),
      subagentCountMonitor({
        name: 'breaker',
        ceilings: { sync: 1 },
        action: { kind: 'open-breaker', breaker },
      }),
    ]);
    await startDynamicChild(node, sup, []);
    await clock.advance(0);
    expect(flags.isEnabled('spawn-sync')).toBe(true);
    await startDynamicChild(node, sup, []);
    await clock.advance(0);
    expect(flags.isEnabled('spawn-sync')).toBe(false);
    expect(breaker.state).toBe('isolated');
    breaker.dispose();
  });

  it('stops the subtree: its supervisor ends with an AnomalyStop reason and its children with it', async () => {
    const { clock, node } = world();
    const exits: NodeEvent[] = [];
    node.inspect((e) => {
      if (e.type === 'actor.exited') exits.push(e);
    });
    const sup = await workers(node);
    startMonitors(node, [
      subagentCountMonitor({ ceilings: { sync: 1 }, action: { kind: 'stop-subtree' } }),
    ]);
    await startDynamicChild(node, sup, []);
    await startDynamicChild(node, sup, []);
    await clock.advance(0);
    expect(node.isAlive(sup)).toBe(false);
    const supExit = exits.find((e) => e.type === 'actor.exited' && e.pid.key === sup.key) as
      | { reason: { tag: string; detail: unknown } }
      | undefined;
    expect(supExit?.reason.tag).toBe('shutdown');
    expect(isAnomalyStop(supExit?.reason.detail)).toBe(true);
    expect(exits.length).toBe(3);
  });

  it('refuses a ceiling that is not a whole number', () => {
    expect(() =>
      subagentCountMonitor({ ceilings: { sync: 1.5 }, action: { kind: 'alert' } }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', field: 'ceilings.sync' }));
  });
});
