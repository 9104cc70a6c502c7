// Incident replay: silent quality degradation. An agent answers arithmetic questions, one a
// minute, through a resilient model. At t0 (minute 60) the provider ships a model update: from
// then on a slowly growing share of its answers is wrong (0% at t0, +1 point every 2.4 minutes,
// 50% after two hours). Every call still succeeds promptly: the agent answers its status, the
// breaker stays closed, the ladder stays on its primary, the mailbox stays empty. L1 and L2 are
// green throughout, as they would be. L4 scores each sampled answer and raises its drift alarm
// within the bound docs/observability.md states: at most one window of samples after the bad
// share of the traffic passes 1 - threshold.
import {
  createResilientModel,
  defineAgent,
  type HealthChanged,
  livenessCheck,
  modelPolicyOf,
  QualityCheck,
  type QualitySample,
  readinessCheck,
  runTask,
  sampleAnswers,
  startHealth,
} from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import { createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';

const MINUTE = 60_000;
const T0 = 60 * MINUTE;
/** The bad share grows 1 point every 2.4 minutes after t0: 50% two hours later. */
const badShare = (now: number) => Math.min(0.5, Math.max(0, (now - T0) / (240 * MINUTE)));
const WINDOW = 30; // samples: one answer a minute, so 30 minutes
const THRESHOLD = 0.9;
const SYSTEM = 'You answer arithmetic questions with the number only.';

const question = (i: number) => `What is ${i} + ${2 * i + 1}?`;
const rightAnswer = (q: string) => {
  const m = /What is (\d+) \+ (\d+)\?/.exec(q);
  return m === null ? undefined : Number(m[1]) + Number(m[2]);
};
/** The scorer: 1 for the right number, 0 otherwise. */
const exactSum = ({ input, output }: QualitySample) =>
  Number(output.trim()) === rightAnswer(input) ? 1 : 0;

function replay() {
  const clock = new TestClock();
  const node = createNode({ name: 'assistant', clock });
  // The provider's model: right until t0, then wrong on a growing share of answers (spread
  // evenly: an answer is wrong whenever the share owed since t0 reaches a whole answer).
  let owed = 0;
  const provider = createScriptedModel({
    clock,
    latencyMs: 2_000,
    script: (request, { now }) => {
      const first = request.messages[0]?.content[0];
      const sum = rightAnswer(first?.type === 'text' ? first.text : '') ?? 0;
      owed += badShare(now);
      if (owed >= 1) {
        owed -= 1;
        return { text: String(sum + 1) };
      }
      return { text: String(sum) };
    },
  });
  const model = createResilientModel({ node, primary: provider });
  const quality = new QualityCheck({
    agent: 'calc',
    scorer: exactSum,
    window: WINDOW,
    threshold: THRESHOLD,
  });
  const calc = defineAgent({
    name: 'calc',
    system: SYSTEM,
    model: sampleAnswers(model, quality, { clock, system: SYSTEM }),
  });
  node.spawn(calc, { name: 'calc' });
  const health = startHealth(node, {
    checks: [
      livenessCheck({ agent: 'calc', deadlineMs: 1_000, everyMs: MINUTE }),
      readinessCheck({
        agent: 'calc',
        breakers: { scripted: modelPolicyOf(node).breaker('scripted') },
        ladders: { model: { ladder: model, top: 'primary' } },
        mailboxes: { calc: { process: 'calc', bound: 8 } },
        everyMs: MINUTE,
      }),
      quality,
    ],
  });
  const changes: HealthChanged[] = [];
  node.inspect((e) => {
    if (e.type === 'published' && e.event.type === 'health.changed') {
      changes.push(e.event as HealthChanged);
    }
  });
  return { clock, node, health, quality, changes };
}

describe('silent quality degradation after a model update', () => {
  it('L4 raises the drift alarm within one window after the bad share passes 1 - threshold; L1 and L2 stay green', async () => {
    const { clock, node, health, changes } = replay();
    const live: string[] = [];
    const ready: string[] = [];
    let alarmAt: number | undefined;
    for (let i = 0; i < 240 && alarmAt === undefined; i++) {
      const answered = runTask(node, 'calc', question(i));
      await clock.advance(MINUTE);
      expect((await answered).outcome).toBe('done');
      live.push(health.result('agent:calc')?.status ?? 'missing');
      ready.push(health.result('ready:calc')?.status ?? 'missing');
      if (health.result('quality:calc')?.status === 'fail') {
        alarmAt = health.result('quality:calc')?.lastRunAt;
      }
    }
    expect(alarmAt).toBeDefined();
    const at = alarmAt as number;
    // No false alarm before the update...
    expect(at).toBeGreaterThan(T0);
    // ...and the promised bound: the bad share passes 1 - threshold (10%) at t0 + 24 minutes,
    // one window is 30 samples at one a minute.
    const crossesAt = T0 + (1 - THRESHOLD) * 240 * MINUTE;
    expect(crossesAt).toBe(T0 + 24 * MINUTE);
    expect(at).toBeLessThanOrEqual(crossesAt + WINDOW * MINUTE);
    // docs/observability.md tells this run: the alarm 44 minutes after the update.
    expect(Math.floor((at - T0) / MINUTE)).toBe(44);
    // L1 and L2 green the whole time, before and after the update, up to the alarm.
    expect(live.length).toBeGreaterThan(60);
    expect(live.every((s) => s === 'pass')).toBe(true);
    expect(ready.every((s) => s === 'pass')).toBe(true);
    expect(health.live()).toBe(true);
    expect(health.ready()).toBe(true);
    // The alarm is an event on the node's stream, the only change after the first runs.
    const quality = changes.filter((c) => c.level === 'L4');
    expect(quality.map((c) => `${c.from}->${c.to}`)).toEqual(['unknown->pass', 'pass->fail']);
    expect(changes.filter((c) => c.level !== 'L4').every((c) => c.to === 'pass')).toBe(true);
    const detail = quality[1]?.detail as { score: number } | undefined;
    expect(detail).toMatchObject({ window: WINDOW, threshold: THRESHOLD, samples: WINDOW });
    expect(detail?.score).toBeLessThan(THRESHOLD);
    console.log(
      `silent degradation: update at minute ${T0 / MINUTE}, bad share passes 10% at minute ${crossesAt / MINUTE}, L4 alarm at minute ${at / MINUTE} (bound ${(crossesAt + WINDOW * MINUTE) / MINUTE})`,
    );
    await node.stop();
  });
});
