// Incident replay: planner-worker against a flat swarm. Five subtasks, five workers, and in half
// of the seeded runs one worker is faulty (its model refuses every request: a failure no retry
// cures). A flat swarm of five independent agents finishes the whole task only when no worker is
// faulty. A planner that hands the subtasks out through `spawnAgent` sees the faulty worker's
// failure as a typed tool error, reassigns its subtask, and finishes every run.
import {
  type AgentBehaviour,
  defineAgent,
  defineTool,
  type Message,
  type ModelRequest,
  runTask,
} from '@warden/agents';
import {
  createScriptedModel,
  faults,
  type ScriptedTurn,
  seededRandom,
} from '@warden/agents/testing';
import { createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { documentedTable, markdownTable, percent } from './documented-table.js';

const RUNS = 40;
const SUBTASKS = ['refund #1', 'refund #2', 'address #3', 'invoice #4', 'login #5'];

/** Which worker is faulty in a run, if any (half of the runs have one). */
function faultyWorker(seed: number): number | undefined {
  const random = seededRandom(seed);
  return random() < 0.5 ? Math.floor(random() * SUBTASKS.length) : undefined;
}

function workers(clock: TestClock, faulty: number | undefined): AgentBehaviour[] {
  return SUBTASKS.map((_, i) =>
    defineAgent({
      name: `worker-${i}`,
      system: 'You resolve one ticket.',
      model: createScriptedModel({
        clock,
        latencyMs: 1_000,
        script: (request) => ({ text: `resolved ${textOf(request.messages[0])}` }),
        faults: i === faulty ? [{ effect: faults.badRequest() }] : [],
      }),
    }),
  );
}

function textOf(message: Message | undefined): string {
  const part = message?.content[0];
  return part?.type === 'text' ? part.text : '';
}

/** The planner's model: assign every subtask, then reassign whatever failed, then answer. */
function plannerTurn(request: ModelRequest): ScriptedTurn {
  const messages = request.messages;
  const last = messages.at(-1);
  if (last?.role !== 'tool') {
    return {
      toolCalls: SUBTASKS.map((subtask, worker) => ({
        name: 'assign',
        input: { worker, subtask },
      })),
    };
  }
  const calls = new Map<string, { worker: number; subtask: string }>();
  for (const part of messages.at(-2)?.content ?? []) {
    if (part.type === 'tool-call')
      calls.set(part.callId, part.input as { worker: number; subtask: string });
  }
  const failed = last.content.filter((p) => p.type === 'tool-result' && p.isError === true);
  if (failed.length === 0) return { text: 'all subtasks resolved' };
  return {
    toolCalls: failed.map((p) => {
      const call = calls.get((p as { callId: string }).callId) as {
        worker: number;
        subtask: string;
      };
      return {
        name: 'assign',
        input: { worker: (call.worker + 1) % SUBTASKS.length, subtask: call.subtask },
      };
    }),
  };
}

async function planner(seed: number): Promise<boolean> {
  const clock = new TestClock();
  const node = createNode({ name: 'planner', clock });
  const pool = workers(clock, faultyWorker(seed));
  const assign = defineTool({
    name: 'assign',
    description: 'Hands a subtask to a worker and returns its result',
    effect: 'read',
    input: z.object({ worker: z.number().int().min(0).max(4), subtask: z.string() }),
    run: async ({ worker, subtask }, ctx) =>
      (await ctx.spawnAgent(`subtask:${subtask}:${worker}`, pool[worker], subtask)).text,
  });
  const agent = defineAgent({
    name: 'planner',
    system: 'You plan.',
    model: createScriptedModel({ clock, script: plannerTurn }),
    tools: [assign],
    subagents: { perType: 1 },
  });
  const result = runTask(node, node.spawn(agent), 'Resolve the five tickets.').then(
    (r) => r.text === 'all subtasks resolved',
    () => false,
  );
  for (let i = 0; i < 100; i++) await clock.advance(1_000);
  return result;
}

async function flatSwarm(seed: number): Promise<boolean> {
  const clock = new TestClock();
  const node = createNode({ name: 'flat', clock });
  const pool = workers(clock, faultyWorker(seed));
  const results = Promise.all(
    SUBTASKS.map((subtask, i) =>
      runTask(node, node.spawn(pool[i] as AgentBehaviour), subtask).then(
        (r) => r.outcome === 'done',
        () => false,
      ),
    ),
  );
  await clock.advance(10_000);
  return (await results).every(Boolean);
}

describe('planner-worker vs flat swarm: five subtasks, one faulty worker in half of the runs', () => {
  it(`the planner finishes every run; the swarm only those without a faulty worker (${RUNS} seeds)`, async () => {
    let plannerDone = 0;
    let swarmDone = 0;
    let faultyRuns = 0;
    for (let seed = 1; seed <= RUNS; seed++) {
      if (faultyWorker(seed) !== undefined) faultyRuns++;
      if (await planner(seed)) plannerDone++;
      if (await flatSwarm(seed)) swarmDone++;
    }
    const table = markdownTable([
      {
        shape: 'flat swarm of 5',
        runs: RUNS,
        'runs with a faulty worker': faultyRuns,
        'tasks finished': percent(swarmDone / RUNS),
      },
      {
        shape: 'planner + 5 workers',
        runs: RUNS,
        'runs with a faulty worker': faultyRuns,
        'tasks finished': percent(plannerDone / RUNS),
      },
    ]);
    console.log(`planner-worker vs flat swarm\n${table}`);
    expect(faultyRuns).toBeGreaterThan(0);
    expect(plannerDone).toBe(RUNS);
    expect(swarmDone).toBe(RUNS - faultyRuns);
    expect(
      documentedTable('agents/subagents.md', 'planner-worker'),
      'docs/agents/subagents.md is stale: paste the table printed by this test',
    ).toBe(table);
  }, 60_000);
});
