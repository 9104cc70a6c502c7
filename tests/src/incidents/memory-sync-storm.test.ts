// Incident replay: the memory-sync storm, with agents. An assistant works on a long task; its
// context monitor fires a memory-sync subagent every 6 virtual minutes, and each sync takes 4 to
// 8 minutes. Spawned naively, syncs overlap and fight over the same memory and quota. Through
// `spawnAgent`, keyed by the logical task ("memory-sync"), a trigger that finds a sync running
// joins it: never more than one sync runs, nothing hangs, and every trigger is served or joined.
import {
  type AgentResultLike,
  defineAgent,
  defineTool,
  type ModelRequest,
  runTask,
} from '@warden/agents';
import { createScriptedModel, faults, type ScriptedModel } from '@warden/agents/testing';
import { createNode, type Node } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const MINUTE = 60_000;
const WORK_UNTIL = 120 * MINUTE;
const TRIGGER_EVERY = 6 * MINUTE;

interface Storm {
  readonly clock: TestClock;
  readonly node: Node;
  readonly syncModel: ScriptedModel;
  readonly triggers: Promise<AgentResultLike | 'failed'>[];
  readonly run: () => Promise<string>;
}

function storm(guarded: boolean): Storm {
  const clock = new TestClock();
  const node = createNode({ name: 'storm', clock });
  // Every sync takes 4 minutes, and half of them 4 more (seeded): 4 to 8 minutes.
  const syncModel = createScriptedModel({
    clock,
    seed: 7,
    timeoutMs: 10 * MINUTE,
    script: { text: 'memory synced' },
    faults: [
      { effect: faults.latency(4 * MINUTE) },
      { probability: 0.5, effect: faults.latency(4 * MINUTE) },
    ],
  });
  const syncAgent = defineAgent({
    name: 'memory-sync',
    model: syncModel,
    system: 'You sync memory.',
  });
  const triggers: Promise<AgentResultLike | 'failed'>[] = [];
  const syncMemory = defineTool({
    name: 'sync_memory',
    description: 'Starts a memory sync',
    effect: 'write',
    input: z.object({}),
    run: (_input, ctx) => {
      // The monitor fires and goes on: it does not wait for the sync.
      const sync = guarded
        ? ctx.spawnAgent('memory-sync', syncAgent, 'sync the memory', { ifFinished: 'run-again' })
        : runTask(node, node.spawn(syncAgent), 'sync the memory');
      triggers.push(sync.catch(() => 'failed' as const));
      return 'sync requested';
    },
  });
  const work = defineTool({
    name: 'work',
    description: 'Does a unit of work',
    effect: 'read',
    input: z.object({ n: z.number() }),
    run: ({ n }) => `unit ${n} done`,
  });
  let lastTrigger = Number.NEGATIVE_INFINITY;
  let units = 0;
  const assistantModel = createScriptedModel({
    clock,
    latencyMs: MINUTE,
    timeoutMs: 10 * MINUTE,
    script: (_request: ModelRequest, { now }) => {
      if (now >= WORK_UNTIL && syncModel.inFlight === 0) return { text: `worked ${units} units` };
      if (now - lastTrigger >= TRIGGER_EVERY) {
        lastTrigger = now;
        return { toolCalls: [{ name: 'sync_memory', input: {} }] };
      }
      return { toolCalls: [{ name: 'work', input: { n: ++units } }] };
    },
  });
  const assistant = defineAgent({
    name: 'assistant',
    model: assistantModel,
    system: 'You work.',
    tools: [syncMemory, work],
    limits: { steps: 400 },
    guard: { repeatedCalls: 1_000, repeatedOutputs: 1_000 },
  });
  const run = async () => {
    const pid = node.spawn(assistant);
    const done = runTask(node, pid, 'Work through the backlog.', { timeout: 4 * 60 * MINUTE });
    let settled = false;
    void done.finally(() => {
      settled = true;
    });
    for (let i = 0; i < 5_000 && !settled; i++) await clock.advanceToNext();
    return (await done).text;
  };
  return { clock, node, syncModel, triggers, run };
}

describe('memory-sync storm: a sync fired every 6 minutes, each taking 4 to 8', () => {
  it('spawned naively, syncs overlap', async () => {
    const s = storm(false);
    await s.run();
    expect(s.syncModel.maxInFlight).toBeGreaterThan(1);
  });

  it('keyed by the logical task, never more than one sync runs and every trigger is served or joined', async () => {
    const s = storm(true);
    const answer = await s.run();
    expect(answer).toMatch(/^worked \d+ units$/);
    expect(s.syncModel.maxInFlight).toBe(1);
    const outcomes = await Promise.all(s.triggers);
    expect(outcomes).not.toContain('failed');
    expect(outcomes.length).toBe(20); // one trigger every 6 minutes for 2 hours
    const served = outcomes as AgentResultLike[];
    const syncs = new Set(served.map((r) => r.threadId));
    // Triggers that found a sync running joined it: fewer syncs than triggers, one model call each.
    expect(syncs.size).toBe(s.syncModel.calls.length);
    expect(syncs.size).toBeLessThan(outcomes.length);
    expect(served.every((r) => r.outcome === 'done' && r.text === 'memory synced')).toBe(true);
  });
});
