import { createNode, type Node } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { mailboxGrowthMonitor } from '../../src/monitors/mailbox-growth-monitor.js';
import { startMonitors } from '../../src/monitors/monitors.js';
import { subagentCountMonitor } from '../../src/monitors/subagent-count-monitor.js';

let node: Node | undefined;
afterEach(() => node?.stop());

function world(): { clock: TestClock; node: Node } {
  const clock = new TestClock();
  node = createNode({ name: 'mailboxes', clock });
  return { clock, node };
}

const alert = { kind: 'alert' } as const;

describe('mailboxGrowthMonitor', () => {
  it('fires on a mailbox deeper than maxDepth at a sample on the node clock', async () => {
    const { clock, node } = world();
    const slow = node.spawn(async () => {
      await new Promise(() => {});
    });
    node.register('slow', slow);
    const monitors = startMonitors(node, [
      mailboxGrowthMonitor({
        maxDepth: 10,
        growthSamples: 100,
        sampleEveryMs: 5_000,
        action: alert,
      }),
    ]);
    for (let i = 0; i < 11; i++) node.send(slow, i);
    await clock.advance(4_999);
    expect(monitors.firings).toEqual([]);
    await clock.advance(1);
    expect(monitors.firings).toMatchObject([
      { monitor: 'mailbox-growth', key: 'slow', value: 11, threshold: 10, time: 5_000 },
    ]);
  });

  it('fires on a mailbox that grew at each of growthSamples samples, while still under maxDepth', async () => {
    const { clock, node } = world();
    const slow = node.spawn(async () => {
      await new Promise(() => {});
    });
    const monitors = startMonitors(node, [
      mailboxGrowthMonitor({
        maxDepth: 1_000,
        growthSamples: 3,
        sampleEveryMs: 1_000,
        action: alert,
      }),
    ]);
    for (let s = 0; s < 5; s++) {
      node.send(slow, s);
      await clock.advance(1_000);
    }
    // Samples at 1 s (depth 1, first seen), 2 s, 3 s, 4 s (grew three times in a row).
    expect(monitors.firings).toMatchObject([
      { key: `${String(slow)}:growth`, value: 3, threshold: 2, time: 4_000 },
    ]);
  });

  it('does not fire for a mailbox that is drained between samples', async () => {
    const { clock, node } = world();
    const fast = node.spawn(async (ctx) => {
      for (;;) await ctx.receive();
    });
    const monitors = startMonitors(node, [
      mailboxGrowthMonitor({ maxDepth: 0, sampleEveryMs: 1_000, action: alert }),
    ]);
    for (let s = 0; s < 10; s++) {
      for (let i = 0; i < 50; i++) node.send(fast, i);
      await clock.advance(1_000);
    }
    expect(monitors.firings).toEqual([]);
  });
});

describe('startMonitors', () => {
  it('refuses a bad action and duplicate names with ERR_INVALID_OPTION', () => {
    const { node } = world();
    expect(() =>
      startMonitors(node, [
        subagentCountMonitor({ ceilings: {}, action: { kind: 'explode' } as never }),
      ]),
    ).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', field: 'monitors[0].action.kind' }),
    );
    const m = subagentCountMonitor({ ceilings: {}, action: alert });
    expect(() => startMonitors(node, [m, m])).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', field: 'monitors[1].name' }),
    );
  });

  it('stops sampling and observing with the node', async () => {
    const { clock, node } = world();
    const monitors = startMonitors(node, [
      mailboxGrowthMonitor({ maxDepth: 0, sampleEveryMs: 1_000, action: alert }),
    ]);
    await node.stop();
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(10_000);
    expect(monitors.firings).toEqual([]);
  });
});
