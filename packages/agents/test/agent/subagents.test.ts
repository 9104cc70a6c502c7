import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { agentStatus, runTask } from '../../src/agent/agent-protocol.js';
import { defineAgent } from '../../src/agent/define-agent.js';
import type { AgentResult } from '../../src/store/checkpoint.js';
import { createScriptedModel } from '../../src/testing/index.js';
import { defineTool } from '../../src/tools/tool.js';
import { agentWorld, outcomeOf } from './agent-world.js';

type Spawn = (key: string, task: string) => Promise<unknown>;

/** A planner whose one tool runs `body` with the tool context's spawnAgent. */
function plannerWith(body: (spawn: Spawn) => Promise<unknown>) {
  const { clock, node } = agentWorld();
  const worker = createScriptedModel({
    clock,
    latencyMs: 1_000,
    script: (request) => {
      const task = request.messages[0]?.content[0];
      return {
        text: `worked on ${task?.type === 'text' ? task.text : '?'}`,
        usage: { inputTokens: 100, outputTokens: 10 },
      };
    },
  });
  const workerAgent = defineAgent({ name: 'worker', model: worker, system: 'You work.' });
  const delegate = defineTool({
    name: 'delegate',
    description: 'hands work to workers',
    effect: 'read',
    input: z.object({}),
    run: (_input, ctx) => body((key, task) => ctx.spawnAgent(key, workerAgent, task)),
  });
  const planner = createScriptedModel({
    clock,
    script: [{ toolCalls: [{ name: 'delegate', input: {} }] }, { text: 'planned' }],
  });
  const plannerAgent = defineAgent({
    name: 'planner',
    model: planner,
    system: 'You plan.',
    tools: [delegate],
    subagents: { perType: 2 },
  });
  return { clock, node, worker, planner, plannerAgent };
}

describe('subagents', () => {
  it('keys subagents by the logical task: a second request for a running key joins it', async () => {
    let results: AgentResult[] = [];
    const w = plannerWith(async (spawn) => {
      results = (await Promise.all([
        spawn('ticket-7', 'ticket 7'),
        spawn('ticket-7', 'ticket 7'),
      ])) as AgentResult[];
      return 'ok';
    });
    const pid = w.node.spawn(w.plannerAgent);
    const done = outcomeOf(runTask(w.node, pid, 'plan'));
    await w.clock.advance(5_000);
    expect(done.value().outcome).toBe('done');
    expect(w.worker.calls).toHaveLength(1);
    expect(results[0]).toEqual(results[1]);
    expect(results[0]?.text).toBe('worked on ticket 7');
  });

  it('answers a finished key from its checkpoint instead of running it again', async () => {
    const w = plannerWith(async (spawn) => {
      const first = await spawn('ticket-8', 'ticket 8');
      const again = await spawn('ticket-8', 'ticket 8');
      return [first, again];
    });
    const pid = w.node.spawn(w.plannerAgent);
    const done = outcomeOf(runTask(w.node, pid, 'plan'));
    await w.clock.advance(5_000);
    expect(done.value().outcome).toBe('done');
    expect(w.worker.calls).toHaveLength(1);
  });

  it('refuses a spawn over the ceiling of its type, typed and counted', async () => {
    const outcomes: string[] = [];
    const w = plannerWith(async (spawn) => {
      const settled = await Promise.allSettled([spawn('a', 'a'), spawn('b', 'b'), spawn('c', 'c')]);
      for (const s of settled)
        outcomes.push(s.status === 'fulfilled' ? 'ok' : (s.reason as { code: string }).code);
      return outcomes;
    });
    const pid = w.node.spawn(w.plannerAgent);
    const done = outcomeOf(runTask(w.node, pid, 'plan'));
    await w.clock.advance(5_000);
    expect(done.value().outcome).toBe('done');
    expect(outcomes.sort()).toEqual(['ERR_SUBAGENT_CEILING', 'ok', 'ok']);
    expect((await agentStatus(w.node, pid)).refusedSpawns).toBe(1);
  });

  it('counts what subagents spend against the parent: the subtree has one budget', async () => {
    const w = plannerWith(async (spawn) => spawn('ticket-9', 'ticket 9'));
    const pid = w.node.spawn(w.plannerAgent);
    const done = outcomeOf(runTask(w.node, pid, 'plan'));
    await w.clock.advance(5_000);
    const spent = done.value().spent;
    const plannerInput = w.planner.calls.reduce(
      (n, c) => n + (c.response?.usage.inputTokens ?? 0),
      0,
    );
    expect(spent.inputTokens).toBe(plannerInput + 100);
    expect(spent.subagents).toBe(1);
  });
});
