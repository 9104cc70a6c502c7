import { createNode, type Node } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { defineAgent } from '../../src/agent/define-agent.js';
import { startHealth } from '../../src/health/health.js';
import { livenessCheck } from '../../src/health/liveness-check.js';
import { createScriptedModel } from '../../src/testing/index.js';

let node: Node | undefined;
afterEach(() => node?.stop());

function world(): { clock: TestClock; node: Node } {
  const clock = new TestClock();
  node = createNode({ name: 'health', clock });
  return { clock, node };
}

describe('livenessCheck (L1)', () => {
  it('passes when a probe message round-trips through a process of its own', async () => {
    const { node } = world();
    const health = startHealth(node, { checks: [livenessCheck({ deadlineMs: 1_000 })] });
    await health.runNow();
    expect(health.result('scheduler')).toMatchObject({
      level: 'L1',
      status: 'pass',
      detail: { roundTripMs: 0 },
    });
    expect(health.live()).toBe(true);
  });

  it('passes while the agent answers status, even in the middle of a long model call', async () => {
    const { clock, node } = world();
    const model = createScriptedModel({
      clock,
      latencyMs: 600_000,
      timeoutMs: 900_000,
      script: { text: 'ok' },
    });
    const pid = node.spawn(defineAgent({ name: 'triage', model, system: '' }), { name: 'triage' });
    void node.call(pid, { task: 'think hard' }, { timeout: 900_000 }).catch(() => {});
    await clock.advance(1_000);
    const health = startHealth(node, {
      checks: [livenessCheck({ agent: 'triage', deadlineMs: 500 })],
    });
    await health.runNow();
    expect(health.result('agent:triage')).toMatchObject({
      agent: 'triage',
      status: 'pass',
      detail: { state: 'planning' },
    });
  });

  it('fails with "deadline" when the process does not answer within the deadline on the node clock', async () => {
    const { clock, node } = world();
    const stuck = node.spawn(async () => {
      await new Promise(() => {}); // never reads its mailbox
    });
    node.register('stuck', stuck);
    const health = startHealth(node, {
      checks: [livenessCheck({ agent: 'stuck', deadlineMs: 2_000, everyMs: 10_000 })],
    });
    await clock.advance(1_999);
    expect(health.result('agent:stuck')?.status).toBe('unknown');
    await clock.advance(1);
    expect(health.result('agent:stuck')).toMatchObject({
      status: 'fail',
      lastRunAt: 2_000,
      detail: { reason: 'deadline', deadlineMs: 2_000 },
    });
    expect(health.live()).toBe(false);
  });

  it('fails with "no answer" when the agent is gone', async () => {
    const { node } = world();
    const health = startHealth(node, {
      checks: [livenessCheck({ agent: 'nobody', deadlineMs: 100 })],
    });
    await health.runNow();
    expect(health.result('agent:nobody')).toMatchObject({
      status: 'fail',
      detail: { reason: 'no answer' },
    });
  });

  it('runs on its schedule on the node clock and keeps a bounded history', async () => {
    const { clock, node } = world();
    const health = startHealth(node, {
      checks: [livenessCheck({ everyMs: 1_000 })],
      historySize: 3,
    });
    await clock.advance(5_000);
    const result = health.result('scheduler');
    expect(result?.lastRunAt).toBe(5_000);
    expect(result?.history.map((r) => r.at)).toEqual([3_000, 4_000, 5_000]);
  });

  it('never overlaps a slow run with the next: the next starts everyMs after the previous ended', async () => {
    const { clock, node } = world();
    const stuck = node.spawn(async () => {
      await new Promise(() => {});
    });
    node.register('stuck', stuck);
    const health = startHealth(node, {
      checks: [livenessCheck({ agent: 'stuck', deadlineMs: 3_000, everyMs: 1_000 })],
    });
    await clock.advance(10_000);
    // Each run takes its 3 s deadline, then waits 1 s: ends at 3, 7 and 11 s.
    expect(health.result('agent:stuck')?.history.map((r) => [r.at, r.durationMs])).toEqual([
      [3_000, 3_000],
      [7_000, 3_000],
    ]);
  });

  it('stops its schedule with the node', async () => {
    const { clock, node } = world();
    const health = startHealth(node, { checks: [livenessCheck({ everyMs: 1_000 })] });
    await clock.advance(2_000);
    await node.stop();
    const before = health.result('scheduler')?.lastRunAt;
    await clock.advance(10_000);
    expect(health.result('scheduler')?.lastRunAt).toBe(before);
    expect(clock.pendingTimers).toBe(0);
  });

  it('refuses bad options with ERR_INVALID_OPTION naming the field', () => {
    expect(() => livenessCheck({ deadlineMs: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', field: 'deadlineMs' }),
    );
    const { node } = world();
    expect(() => startHealth(node, { checks: [livenessCheck(), livenessCheck()] })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', field: 'checks[1].name' }),
    );
  });
});
