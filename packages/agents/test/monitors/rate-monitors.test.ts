import { type ActorContext, createNode, type Node, startSupervisor } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runTask } from '../../src/agent/agent-protocol.js';
import { defineAgent } from '../../src/agent/define-agent.js';
import { deadLetterMonitor } from '../../src/monitors/dead-letter-monitor.js';
import { endpointCallsMonitor } from '../../src/monitors/endpoint-calls-monitor.js';
import { startMonitors } from '../../src/monitors/monitors.js';
import { repeatedToolCallsMonitor } from '../../src/monitors/repeated-tool-calls-monitor.js';
import { spawnRateMonitor } from '../../src/monitors/spawn-rate-monitor.js';
import { tokenBurnMonitor } from '../../src/monitors/token-burn-monitor.js';
import { createScriptedModel } from '../../src/testing/index.js';
import { defineTool } from '../../src/tools/tool.js';

let node: Node | undefined;
afterEach(() => node?.stop());

function world(): { clock: TestClock; node: Node } {
  const clock = new TestClock();
  node = createNode({ name: 'rates', clock });
  return { clock, node };
}

const alert = { kind: 'alert' } as const;

/** A child that lives `ms` on the node clock, then crashes: its supervisor restarts it at once. */
function crashesAfter(ms: number) {
  return async (ctx: ActorContext) => {
    await ctx.receive(undefined, { timeout: ms }).catch(() => {});
    throw new Error('boom');
  };
}

describe('spawnRateMonitor', () => {
  it('fires when a child restarts more often than the rate allows, within the window on the node clock', async () => {
    const { clock, node } = world();
    await startSupervisor(node, {
      strategy: 'one_for_one',
      intensity: 100,
      period: 3_600_000,
      children: [{ id: 'flaky', start: { behaviour: crashesAfter(10_000) } }],
    });
    const monitors = startMonitors(node, [
      spawnRateMonitor({ max: 3, windowMs: 60_000, types: ['flaky'], action: alert }),
    ]);
    await clock.advance(25_000); // restarts at 10 s and 20 s: 2 in the window
    expect(monitors.firings).toEqual([]);
    await clock.advance(20_000); // 30 s, 40 s: the fourth start within a minute
    expect(monitors.firings).toMatchObject([
      { monitor: 'spawn-rate', key: 'flaky', value: 4, threshold: 3, time: 40_000 },
    ]);
  });

  it('does not fire for starts spread wider than the window', async () => {
    const { clock, node } = world();
    await startSupervisor(node, {
      strategy: 'one_for_one',
      intensity: 100,
      period: 3_600_000,
      children: [{ id: 'slow', start: { behaviour: crashesAfter(30_000) } }],
    });
    const starts: number[] = [];
    node.inspect((e) => {
      if (e.type === 'supervisor.child_started') starts.push(e.time);
    });
    const monitors = startMonitors(node, [
      spawnRateMonitor({ max: 2, windowMs: 60_000, action: alert }),
    ]);
    await clock.advance(300_000);
    expect(starts.length).toBe(10); // it did restart, every 30 s: two in any minute
    expect(monitors.firings).toEqual([]);
  });
});

describe('tokenBurnMonitor and endpointCallsMonitor', () => {
  it('sum tokens per agent type and calls per model over a moving window, from agent.step events', async () => {
    const { clock, node } = world();
    const model = createScriptedModel({
      clock,
      model: 'gpt-x',
      script: { text: 'a fairly long answer' },
    });
    const pid = node.spawn(defineAgent({ name: 'chatty', model, system: '' }));
    const monitors = startMonitors(node, [
      tokenBurnMonitor({ maxTokens: 40, windowMs: 60_000, action: alert }),
      endpointCallsMonitor({ max: 3, windowMs: 60_000, action: alert }),
    ]);
    for (let i = 0; i < 4; i++) {
      await runTask(node, pid, `question ${i}`);
      await clock.advance(10_000);
    }
    const burn = monitors.firings.find((f) => f.monitor === 'token-burn');
    expect(burn).toMatchObject({ key: 'chatty', threshold: 40 });
    expect(burn?.value).toBeGreaterThan(40);
    expect(monitors.firings.find((f) => f.monitor === 'endpoint-calls')).toMatchObject({
      key: 'gpt-x',
      value: 4,
      threshold: 3,
      time: 30_000,
    });
  });

  it('forget what left the window', async () => {
    const { clock, node } = world();
    const model = createScriptedModel({ clock, script: { text: 'ok' } });
    const pid = node.spawn(defineAgent({ name: 'calm', model, system: '' }));
    const monitors = startMonitors(node, [
      endpointCallsMonitor({ max: 2, windowMs: 60_000, action: alert }),
    ]);
    for (let i = 0; i < 6; i++) {
      await runTask(node, pid, `question ${i}`);
      await clock.advance(40_000); // at most two calls in any minute
    }
    expect(monitors.firings).toEqual([]);
  });
});

describe('repeatedToolCallsMonitor', () => {
  it('counts calls of one tool with the same arguments across tasks, through the tool it wraps', async () => {
    const { clock, node } = world();
    const repeated = repeatedToolCallsMonitor({ clock, max: 2, windowMs: 60_000, action: alert });
    const lookup = repeated.watch(
      defineTool({
        name: 'lookup',
        description: 'Looks up',
        effect: 'read',
        input: z.object({ id: z.number() }),
        run: ({ id }) => `customer ${id}`,
      }),
    );
    let id = 0;
    const model = createScriptedModel({
      clock,
      script: (request) =>
        request.messages.at(-1)?.role === 'tool'
          ? { text: 'done' }
          : { toolCalls: [{ name: 'lookup', input: { id: id++ < 3 ? 7 : id } }] },
    });
    const pid = node.spawn(defineAgent({ name: 'a', model, system: '', tools: [lookup] }));
    const monitors = startMonitors(node, [repeated]);
    for (let i = 0; i < 5; i++) await runTask(node, pid, `task ${i}`);
    expect(monitors.firings).toHaveLength(1);
    expect(monitors.firings[0]).toMatchObject({
      monitor: 'repeated-tool-calls',
      value: 3,
      threshold: 2,
    });
    expect(monitors.firings[0]?.key).toMatch(/^lookup:/);
  });
});

describe('deadLetterMonitor', () => {
  it("fires when the node's dead letters grow faster than the window allows", async () => {
    const { clock, node } = world();
    const gone = node.spawn(async () => {});
    await clock.advance(0);
    const monitors = startMonitors(node, [
      deadLetterMonitor({ max: 5, windowMs: 60_000, action: alert }),
    ]);
    for (let i = 0; i < 5; i++) node.send(gone, i);
    await clock.advance(0);
    expect(monitors.firings).toEqual([]);
    node.send(gone, 'one too many');
    await clock.advance(0);
    expect(monitors.firings).toMatchObject([{ key: 'node', value: 6, threshold: 5 }]);
  });

  it('counts failed work recorded in a dead-letter queue whose events reach the node', async () => {
    const { clock, node } = world();
    const monitors = startMonitors(node, [
      deadLetterMonitor({ max: 1, windowMs: 60_000, action: alert }),
    ]);
    node.publish({ type: 'deadletter.recorded' });
    node.publish({ type: 'deadletter.recorded' });
    await clock.advance(0);
    expect(monitors.firings).toMatchObject([{ key: 'queue', value: 2 }]);
  });
});
