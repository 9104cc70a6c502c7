import { createNode, type Node } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { DegradationLadder, FeatureFlags } from '@warden/resilience';
import { afterEach, describe, expect, it } from 'vitest';
import { defineAgent } from '../../src/agent/define-agent.js';
import { functionalCheck } from '../../src/health/functional-check.js';
import { startHealth } from '../../src/health/health.js';
import { livenessCheck } from '../../src/health/liveness-check.js';
import type { ModelRequest } from '../../src/model/model-request.js';
import { createScriptedModel } from '../../src/testing/index.js';

let node: Node | undefined;
afterEach(() => node?.stop());

function world(): { clock: TestClock; node: Node } {
  const clock = new TestClock();
  node = createNode({ name: 'golden', clock });
  return { clock, node };
}

const firstText = (r: ModelRequest) => {
  const part = r.messages[0]?.content[0];
  return part?.type === 'text' ? part.text : '';
};

describe('functionalCheck (L3)', () => {
  it('runs the golden task on a fresh agent, on its schedule, and passes while the checker agrees', async () => {
    const { clock, node } = world();
    const model = createScriptedModel({
      clock,
      latencyMs: 1_000,
      script: (request) => ({ text: firstText(request) === 'What is 2 + 2?' ? '4' : '?' }),
    });
    const adder = defineAgent({ name: 'adder', model, system: 'You add.' });
    const health = startHealth(node, {
      checks: [
        functionalCheck({
          agent: 'adder',
          behaviour: adder,
          task: 'What is 2 + 2?',
          check: (r) => r.text.trim() === '4' || `answered ${r.text}`,
          deadlineMs: 5_000,
          everyMs: 60_000,
        }),
      ],
    });
    await clock.advance(1_000);
    expect(health.result('golden:adder')).toMatchObject({
      level: 'L3',
      agent: 'adder',
      status: 'pass',
      lastRunAt: 1_000,
      detail: { tookMs: 1_000, steps: 1 },
    });
    await clock.advance(61_000);
    expect(health.result('golden:adder')?.history.map((r) => r.at)).toEqual([1_000, 62_000]);
    expect(model.calls.length).toBe(2); // each run is a fresh thread: never answered from a checkpoint
    // The processes spawned for the runs are gone.
    expect(node.processes().length).toBeLessThanOrEqual(2);
  });

  it('fails when the answer is wrong, saying why', async () => {
    const { clock, node } = world();
    const model = createScriptedModel({ clock, script: { text: '5' } });
    const health = startHealth(node, {
      checks: [
        functionalCheck({
          agent: 'adder',
          behaviour: defineAgent({ name: 'adder', model, system: '' }),
          task: 'What is 2 + 2?',
          check: (r) => r.text === '4' || `answered ${r.text}`,
        }),
      ],
    });
    await health.runNow();
    expect(health.result('golden:adder')).toMatchObject({
      status: 'fail',
      detail: { reason: 'wrong answer', why: 'answered 5' },
    });
  });

  it('fails with "deadline" when the golden task is not answered within its deadline on the node clock', async () => {
    const { clock, node } = world();
    const model = createScriptedModel({ clock, latencyMs: 30_000, script: { text: '4' } });
    const health = startHealth(node, {
      checks: [
        functionalCheck({
          agent: 'adder',
          behaviour: defineAgent({ name: 'adder', model, system: '' }),
          task: 'What is 2 + 2?',
          check: (r) => r.text === '4' || 'wrong',
          deadlineMs: 10_000,
        }),
      ],
    });
    await clock.advance(10_000);
    expect(health.result('golden:adder')).toMatchObject({
      status: 'fail',
      lastRunAt: 10_000,
      detail: { reason: 'deadline', deadlineMs: 10_000 },
    });
  });

  it('a failing golden task switches off a flag, which moves the ladder down; passing again restores it', async () => {
    const { clock, node } = world();
    let broken = true;
    const model = createScriptedModel({ clock, script: () => ({ text: broken ? 'x' : '4' }) });
    const flags = new FeatureFlags({ clock, flags: { 'adder-primary': true } });
    const ladder = new DegradationLadder<string, string>({
      clock,
      levels: [
        { name: 'primary', health: flags.health('adder-primary'), serve: (q) => q },
        { name: 'static', serve: () => 'later' },
      ],
    });
    const events: unknown[] = [];
    node.inspect((e) => {
      if (e.type === 'published' && e.event.type === 'health.changed') events.push(e.event);
    });
    const health = startHealth(node, {
      checks: [
        functionalCheck({
          agent: 'adder',
          behaviour: defineAgent({ name: 'adder', model, system: '' }),
          task: 'What is 2 + 2?',
          check: (r) => r.text === '4' || 'wrong',
          everyMs: 60_000,
        }),
      ],
      actions: {
        'golden:adder': [{ kind: 'switch-off', flags, flag: 'adder-primary', restore: true }],
      },
    });
    await clock.advance(0);
    expect(health.result('golden:adder')?.status).toBe('fail');
    expect(ladder.level).toBe('static');
    broken = false;
    await clock.advance(60_000);
    expect(health.result('golden:adder')?.status).toBe('pass');
    expect(ladder.level).toBe('primary');
    expect(events).toMatchObject([
      { check: 'golden:adder', level: 'L3', agent: 'adder', from: 'unknown', to: 'fail' },
      { check: 'golden:adder', from: 'fail', to: 'pass' },
    ]);
  });

  it('runs on a live agent by address, and a call action hears the failure; a throwing action is reported, not thrown', async () => {
    const { clock, node } = world();
    const model = createScriptedModel({ clock, script: { text: '5' } });
    node.spawn(defineAgent({ name: 'adder', model, system: '' }), { name: 'adder' });
    const heard: string[] = [];
    const events: string[] = [];
    node.inspect((e) => {
      if (e.type === 'published') events.push(e.event.type);
    });
    const health = startHealth(node, {
      checks: [
        functionalCheck({
          agent: 'adder',
          address: 'adder',
          task: 'What is 2 + 2?',
          check: (r) => r.text === '4' || `answered ${r.text}`,
        }),
      ],
      actions: {
        'golden:adder': [
          {
            kind: 'call',
            onFail: () => {
              throw new Error('pager down');
            },
          },
          { kind: 'call', onFail: (r) => heard.push(`${r.name} ${r.status}`) },
        ],
      },
    });
    await health.runNow();
    expect(heard).toEqual(['golden:adder fail']);
    expect(events).toContain('health.action_failed');
    expect(node.whereis('adder')).toBeDefined(); // the live agent is not ended by the check
  });

  it('refuses actions on L1 and L2 checks, and a golden task with nowhere to run', () => {
    expect(() => functionalCheck({ agent: 'a', task: 't', check: () => true })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', field: 'behaviour' }),
    );
    const { clock, node } = world();
    const flags = new FeatureFlags({ clock, flags: { f: true } });
    expect(() =>
      startHealth(node, {
        checks: [livenessCheck()],
        actions: { scheduler: [{ kind: 'switch-off', flags, flag: 'f' }] },
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', field: 'actions.scheduler' }));
  });
});
