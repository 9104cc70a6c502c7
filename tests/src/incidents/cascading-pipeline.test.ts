// Incident replay: the cascading pipeline. A task of 10 agent steps where every model call fails
// transiently 15% of the time (a 500 from the provider). Naively, one failure anywhere
// kills the whole task: end-to-end success is about 0.85^10, 20%. With warden the transient
// failure is retried under the node's failure policy; a step that still fails crashes the agent,
// its supervisor restarts it, and the task resumes from its last checkpoint, never from step 1.
// Both modes run the same 1,000 seeds; docs/agents/runtime.md shows this test's own table.
import {
  createModelPolicy,
  createResilientModel,
  defineAgent,
  defineTool,
  runTask,
} from '@warden/agents';
import {
  createScriptedModel,
  faults,
  type ScriptedModel,
  seededRandom,
} from '@warden/agents/testing';
import { createNode, type Node, type Pid, startSupervisor } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { documentedTable, markdownTable, percent } from './documented-table.js';

const RUNS = Number(process.env.PIPELINE_RUNS ?? 1_000);
const STEPS = 10;
const FAILURE = 0.15;
/** How often the caller asks again (same thread) after the agent died; each resumes. */
const RESUMES = 3;
const RESUME_AFTER_MS = 60_000;

const stage = defineTool({
  name: 'stage',
  description: 'Runs one stage of the pipeline',
  effect: 'read',
  input: z.object({ n: z.number().int() }),
  run: ({ n }) => `stage ${n} ok`,
});

function scripted(clock: TestClock, seed: number): ScriptedModel {
  let answered = 0;
  return createScriptedModel({
    clock,
    seed,
    faults: [{ probability: FAILURE, effect: faults.serverError(500) }],
    script: () =>
      ++answered < STEPS
        ? { toolCalls: [{ name: 'stage', input: { n: answered } }] }
        : { text: 'pipeline done' },
  });
}

async function runNaive(node: Node, clock: TestClock, seed: number): Promise<boolean> {
  const agent = defineAgent({
    name: 'naive',
    model: scripted(clock, seed),
    system: '',
    tools: [stage],
  });
  const pid = node.spawn(agent);
  const result = runTask(node, pid, 'run the pipeline').then(
    (r) => r.outcome === 'done',
    () => false,
  );
  await clock.settle();
  return result;
}

async function runWarden(
  node: Node,
  clock: TestClock,
  seed: number,
): Promise<{ ok: boolean; calls: number; resumes: number }> {
  const primary = scripted(clock, seed);
  const policy = createModelPolicy({ clock, random: seededRandom(seed) });
  const model = createResilientModel({ clock, policy, primary, cache: false, queue: false });
  const agent = defineAgent({ name: 'pipeline', model, system: '', tools: [stage] });
  const name = `pipeline-${seed}`;
  const sup = await startSupervisor(node, {
    strategy: 'one_for_one',
    intensity: RESUMES,
    period: 60_000,
    children: [{ id: 'agent', start: { behaviour: agent, options: { name } } }],
  });
  let ok = false;
  let resumes = 0;
  for (let attempt = 0; attempt <= RESUMES && !ok; attempt++) {
    const result = runTask(node, name, { task: 'run the pipeline', threadId: `t-${seed}` }).then(
      (r) => r.outcome === 'done',
      () => false,
    );
    // Retries wait on the node's clock (full jitter, capped): move time until the call settles.
    ok = await until(clock, result);
    // A task that died (its agent restarted) is asked again a minute later, by thread id: it
    // resumes from its last checkpoint, after the provider's breaker has had time to half-open.
    if (!ok) {
      resumes++;
      await clock.advance(RESUME_AFTER_MS);
    }
  }
  node.exit(sup as Pid, 'shutdown');
  await clock.settle();
  model.close();
  return { ok, calls: primary.calls.length, resumes };
}

/** Moves virtual time from timer to timer until `promise` settles (at most 1,000 timers). */
async function until<T>(clock: TestClock, promise: Promise<T>): Promise<T> {
  let settled = false;
  void promise.finally(() => {
    settled = true;
  });
  await clock.settle();
  for (let i = 0; i < 1_000 && !settled; i++) await clock.advanceToNext();
  return promise;
}

describe('cascading pipeline: 10 steps, each failing 15% of the time', () => {
  it(`succeeds about 20% naively and at least 99% with warden, over the same ${RUNS} seeds`, async () => {
    const clock = new TestClock();
    const naiveNode = createNode({ name: 'naive', clock });
    const wardenNode = createNode({ name: 'warden', clock });
    let naive = 0;
    let warden = 0;
    let calls = 0;
    let resumed = 0;
    for (let seed = 1; seed <= RUNS; seed++) {
      if (await runNaive(naiveNode, clock, seed)) naive++;
      const run = await runWarden(wardenNode, clock, seed);
      if (run.ok) warden++;
      calls += run.calls;
      if (run.resumes > 0) resumed++;
    }
    const table = markdownTable([
      {
        mode: 'naive (one attempt, no retry)',
        runs: RUNS,
        'tasks finished': percent(naive / RUNS),
      },
      {
        mode: 'warden (retry, supervision, resume)',
        runs: RUNS,
        'tasks finished': percent(warden / RUNS),
        'model calls per task': (calls / RUNS).toFixed(2),
        'tasks resumed from a checkpoint': resumed,
      },
    ]);
    console.log(
      `cascading pipeline: ${STEPS} steps, ${FAILURE * 100}% transient failures per call\n${table}`,
    );
    expect(naive / RUNS).toBeGreaterThan(0.15);
    expect(naive / RUNS).toBeLessThan(0.25);
    expect(warden / RUNS).toBeGreaterThanOrEqual(0.99);
    if (RUNS === 1_000) {
      expect(
        documentedTable('agents/runtime.md', 'cascading-pipeline'),
        'docs/agents/runtime.md is stale: paste the table printed by this test',
      ).toBe(table);
    }
  }, 120_000);
});
