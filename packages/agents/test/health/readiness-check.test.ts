import { createNode, type Node } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { CircuitBreaker } from '@warden/machines';
import { DegradationLadder, FeatureFlags } from '@warden/resilience';
import { afterEach, describe, expect, it } from 'vitest';
import { startHealth } from '../../src/health/health.js';
import { livenessCheck } from '../../src/health/liveness-check.js';
import { readinessCheck } from '../../src/health/readiness-check.js';

let node: Node | undefined;
afterEach(() => node?.stop());

function world(): { clock: TestClock; node: Node } {
  const clock = new TestClock();
  node = createNode({ name: 'ready', clock });
  return { clock, node };
}

describe('readinessCheck (L2)', () => {
  it('passes while breakers are closed, ladders at their top and queues under their bounds', async () => {
    const { clock, node } = world();
    const breaker = new CircuitBreaker({ clock, name: 'openai' });
    const flags = new FeatureFlags({ clock, flags: { primary: true } });
    const ladder = new DegradationLadder<string, string>({
      clock,
      levels: [
        { name: 'primary', health: flags.health('primary'), serve: (q) => q },
        { name: 'static', serve: () => 'later' },
      ],
    });
    let depth = 3;
    const health = startHealth(node, {
      checks: [
        readinessCheck({
          agent: 'triage',
          breakers: { openai: breaker },
          ladders: { model: { ladder, top: 'primary' } },
          queues: { tasks: { depth: () => depth, bound: 10 } },
        }),
      ],
    });
    await health.runNow();
    expect(health.result('ready:triage')).toMatchObject({ status: 'pass', detail: { checked: 3 } });
    expect(health.ready()).toBe(true);

    breaker.isolate();
    flags.disable('primary');
    depth = 11;
    await health.runNow();
    expect(health.result('ready:triage')).toMatchObject({
      status: 'fail',
      detail: {
        down: {
          'breaker:openai': 'isolated',
          'ladder:model': 'static',
          'queue:tasks': { depth: 11, bound: 10 },
        },
      },
    });
    expect(health.ready()).toBe(false);
    breaker.dispose();
  });

  it("fails while a process's mailbox is over its bound, or the process is gone", async () => {
    const { node } = world();
    const sleeper = node.spawn(async () => {
      await new Promise(() => {});
    });
    for (let i = 0; i < 5; i++) node.send(sleeper, i);
    const health = startHealth(node, {
      checks: [
        readinessCheck({
          mailboxes: {
            sleeper: { process: sleeper, bound: 4 },
            ghost: { process: 'ghost', bound: 4 },
          },
        }),
      ],
    });
    await health.runNow();
    expect(health.result('ready')?.detail).toEqual({
      checked: 2,
      down: { 'mailbox:sleeper': { depth: 5, bound: 4 }, 'mailbox:ghost': 'no process' },
    });
  });

  it('is not ready before it has run, nor while liveness fails, yet still live in the first case', () => {
    const { node } = world();
    const health = startHealth(node, {
      checks: [livenessCheck({ agent: 'nobody' }), readinessCheck({})],
    });
    // Both runs are in flight: nothing recorded yet.
    expect(health.live()).toBe(true);
    expect(health.ready()).toBe(false);
  });

  it('refuses a queue without a bound', () => {
    expect(() => readinessCheck({ queues: { tasks: { depth: () => 0, bound: -1 } } })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', field: 'queues.tasks.bound' }),
    );
  });
});
