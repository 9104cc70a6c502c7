import { createNode, type Node } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { CircuitBreaker } from '@warden/machines';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runTask } from '../../src/agent/agent-protocol.js';
import { defineAgent } from '../../src/agent/define-agent.js';
import { startHealth } from '../../src/health/health.js';
import { QualityCheck } from '../../src/health/quality-check.js';
import { sampleAnswers } from '../../src/health/sample-answers.js';
import { modelPolicyOf } from '../../src/model/policy/model-policy.js';
import { createResilientModel } from '../../src/model/policy/resilient-model.js';
import { createScriptedModel } from '../../src/testing/index.js';
import { defineTool } from '../../src/tools/tool.js';

let node: Node | undefined;
afterEach(() => node?.stop());

function world(): { clock: TestClock; node: Node } {
  const clock = new TestClock();
  node = createNode({ name: 'quality', clock });
  return { clock, node };
}

const exact = ({ output }: { output: string }) => (output === 'right' ? 1 : 0);
const sample = (output: string) => ({ input: 'q', output, at: 0 });

describe('QualityCheck (L4)', () => {
  it('is unknown until minSamples are in the window, then compares the moving mean with the threshold', async () => {
    const q = new QualityCheck({
      agent: 'a',
      scorer: exact,
      window: 4,
      threshold: 0.75,
      minSamples: 2,
    });
    expect(q.run().status).toBe('unknown');
    await q.record(sample('right'));
    expect(q.run()).toMatchObject({ status: 'unknown', detail: { samples: 1, score: 1 } });
    await q.record(sample('wrong'));
    expect(q.run()).toMatchObject({ status: 'fail', detail: { samples: 2, score: 0.5 } });
    await q.record(sample('right'));
    await q.record(sample('right'));
    expect(q.run()).toMatchObject({ status: 'pass', detail: { samples: 4, score: 0.75 } });
    // The window moves: the oldest 'right' leaves as a 'wrong' comes in.
    await q.record(sample('wrong'));
    expect(q.run()).toMatchObject({
      status: 'fail',
      detail: { samples: 4, score: 0.5, scored: 5 },
    });
  });

  it('scores one answer in sampleEvery', async () => {
    const seen: string[] = [];
    const q = new QualityCheck({
      agent: 'a',
      scorer: (s) => {
        seen.push(s.output);
        return 1;
      },
      sampleEvery: 3,
    });
    for (let i = 0; i < 7; i++) await q.record(sample(`a${i}`));
    expect(seen).toEqual(['a0', 'a3', 'a6']);
  });

  it('takes an async scorer (a judge model) on the node clock', async () => {
    const { clock } = world();
    const q = new QualityCheck({
      agent: 'a',
      window: 1,
      scorer: (s) =>
        new Promise<number>((resolve) => clock.setTimer(5_000, () => resolve(exact(s)))),
    });
    const judged = q.record(sample('wrong'));
    await clock.advance(4_999);
    expect(q.run().status).toBe('unknown');
    await clock.advance(1);
    await judged;
    expect(q.run()).toMatchObject({ status: 'fail', detail: { score: 0 } });
  });

  it('does not count a scorer that throws or answers out of range, and reports it', async () => {
    const scores = [1, Number.NaN, 2, -1];
    let i = 0;
    const q = new QualityCheck({
      agent: 'a',
      scorer: () => {
        if (i === 4) throw new Error('judge down');
        return scores[i++] as number;
      },
      window: 2,
      minSamples: 1,
    });
    for (let n = 0; n < 5; n++) await q.record(sample('x'));
    expect(q.run()).toMatchObject({ status: 'pass', detail: { samples: 1, scorerErrors: 4 } });
  });

  it('takes the final answers of a real agent through sampleAnswers, not its tool-calling steps', async () => {
    const { clock, node } = world();
    let n = 0;
    const model = createScriptedModel({
      clock,
      script: (request) => {
        const last = request.messages.at(-1)?.content[0];
        if (last?.type === 'text') return { toolCalls: [{ name: 'look', input: {} }] };
        return { text: ++n <= 2 ? 'right' : 'wrong' };
      },
    });
    const q = new QualityCheck({ agent: 'a', scorer: exact, window: 4, threshold: 0.75 });
    const look = defineTool({
      name: 'look',
      description: 'Looks',
      effect: 'read',
      input: z.object({}),
      run: () => 'seen',
    });
    const agent = defineAgent({
      name: 'a',
      system: 'You answer.',
      tools: [look],
      model: sampleAnswers(model, q, { clock, system: 'You answer.' }),
    });
    const pid = node.spawn(agent);
    for (let i = 0; i < 4; i++) await runTask(node, pid, `question ${i}`);
    expect(q.run()).toMatchObject({ status: 'fail', detail: { samples: 4, score: 0.5 } });
    expect(model.calls.length).toBe(8); // two calls a task, one answer sampled a task
  });

  it('raises the alarm at the sample that takes the mean below the threshold, and opens the breaker', async () => {
    const { clock, node } = world();
    const breaker = new CircuitBreaker({ clock, name: 'scripted' });
    const q = new QualityCheck({
      agent: 'a',
      scorer: exact,
      window: 4,
      threshold: 0.75,
      everyMs: 3_600_000,
    });
    const health = startHealth(node, {
      checks: [q],
      actions: { 'quality:a': [{ kind: 'open-breaker', breaker }] },
    });
    for (const answer of ['right', 'right', 'right', 'right', 'wrong']) {
      await clock.advance(1_000);
      await q.record({ input: 'q', output: answer, at: clock.now() });
      await clock.advance(0);
    }
    expect(health.result('quality:a')?.status).toBe('pass');
    expect(breaker.state).toBe('closed');
    await clock.advance(1_000);
    await q.record({ input: 'q', output: 'wrong', at: clock.now() });
    await clock.advance(0);
    // Recorded at once (not at the next hourly run) and acted upon.
    expect(health.result('quality:a')).toMatchObject({ status: 'fail', lastRunAt: 6_000 });
    expect(breaker.state).toBe('isolated');
    breaker.dispose();
  });

  it("opening the provider's policy breaker moves an agent's resilient model to its fallback", async () => {
    const { clock, node } = world();
    const primary = createScriptedModel({ clock, provider: 'acme', script: { text: 'wrong' } });
    const fallback = createScriptedModel({ clock, provider: 'other', script: { text: 'right' } });
    const model = createResilientModel({ node, primary, fallbacks: [fallback] });
    const q = new QualityCheck({ agent: 'a', scorer: exact, window: 2 });
    const agent = defineAgent({
      name: 'a',
      system: 'S',
      model: sampleAnswers(model, q, { clock, system: 'S' }),
    });
    startHealth(node, {
      checks: [q],
      actions: {
        'quality:a': [{ kind: 'open-breaker', breaker: modelPolicyOf(node).breaker('acme') }],
      },
    });
    const pid = node.spawn(agent);
    expect(model.level).toBe('primary');
    for (let i = 0; i < 2; i++) await runTask(node, pid, `q${i}`);
    await clock.advance(0);
    expect(model.level).toBe('fallback-1');
    expect((await runTask(node, pid, 'q3')).text).toBe('right');
  });

  it('refuses a threshold outside [0, 1] and minSamples above the window', () => {
    expect(() => new QualityCheck({ agent: 'a', scorer: exact, threshold: 2 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', field: 'threshold' }),
    );
    expect(() => new QualityCheck({ agent: 'a', scorer: exact, window: 3, minSamples: 4 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', field: 'minSamples' }),
    );
  });
});
