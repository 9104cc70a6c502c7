// Budget-denominated intensity: an agent reports what each model call spends, and a supervisor
// with `meters` stops a subtree that spends too much per period, however cheap each restart is.
import {
  type ChildSpec,
  type ExitReason,
  isPid,
  type NodeEvent,
  type Pid,
  type SupervisorSpec,
  startSupervisor,
} from '@warden/core';
import { TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent } from '../../src/agent/define-agent.js';
import { createScriptedModel } from '../../src/testing/index.js';
import { defineTool } from '../../src/tools/tool.js';
import { agentWorld, lookupTool } from './agent-world.js';

/** 400 in, 100 out: every call of the model spends 500 tokens. */
const USAGE = { inputTokens: 400, outputTokens: 100 };
const HOUR = 3_600_000;

/**
 * An agent that fails every task after one model call: the model always asks for a tool, and the
 * task's step budget (1) refuses the second step. Started with its task, so every restart by its
 * supervisor runs it again and spends another 500 tokens.
 */
function doomedAgentSpec(clock: ReturnType<typeof agentWorld>['clock'], prices = {}): ChildSpec {
  const model = createScriptedModel({
    clock,
    script: { toolCalls: [{ name: 'lookup', input: { id: 7 } }], usage: USAGE },
  });
  const agent = defineAgent({
    name: 'doomed',
    model,
    system: 'You look customers up.',
    tools: [lookupTool()],
    limits: { steps: 1 },
    prices,
  });
  return { id: 'agent', start: { behaviour: agent, args: { task: { task: 'Look up 7' } } } };
}

function recorder(node: ReturnType<typeof agentWorld>['node']): NodeEvent[] {
  const events: NodeEvent[] = [];
  node.inspect((e) => events.push(e));
  return events;
}

const ofType = <T extends NodeEvent['type']>(events: NodeEvent[], type: T) =>
  events.filter((e): e is Extract<NodeEvent, { type: T }> => e.type === type);

describe('budget-denominated intensity', () => {
  it('stops an agent that crashes after spending tokens and is restarted cheaply, once the token meter is passed, long before restart intensity', async () => {
    const { clock, node } = agentWorld();
    const events = recorder(node);
    const sup = (await startSupervisor(node, {
      intensity: 100,
      period: 60_000,
      meters: [{ name: 'tokens', limit: 2000, period: HOUR }],
      children: [doomedAgentSpec(clock)],
    })) as Pid;
    const probe = new TestProbe(node);
    probe.monitor(sup);
    await clock.settle();
    const down = await probe.expectDown(sup, undefined, { within: 0 });
    // Five runs of 500 tokens: the fifth passes 2000. Four restarts, where intensity allowed 100.
    const reason: ExitReason = {
      tag: 'shutdown',
      detail: { meter: 'tokens', limit: 2000, spent: 2500, period: HOUR },
    };
    expect(down.reason).toEqual(reason);
    expect(ofType(events, 'supervisor.restart')).toHaveLength(4);
    expect(ofType(events, 'supervisor.escalated')).toEqual([]);
    expect(ofType(events, 'supervisor.meter_exceeded')).toMatchObject([
      { supervisor: sup, meter: 'tokens', limit: 2000, spent: 2500, period: HOUR },
    ]);
    // The first four runs ended on their task's step budget; the fifth was shut down with the
    // subtree as soon as its model call was counted, before it could fail on its own.
    const exits = ofType(events, 'supervisor.child_exited');
    expect(exits).toHaveLength(4);
    for (const exit of exits) expect(exit.reason).toMatchObject({ code: 'ERR_BUDGET_EXCEEDED' });
  });

  it('meters dollars when the model is priced, and nothing for an unpriced one', async () => {
    // $10 per million tokens in and out: 500 tokens cost $0.005.
    const prices = { 'scripted-1': { inputPerMTok: 10, outputPerMTok: 10 } };
    const priced = agentWorld();
    const pricedEvents = recorder(priced.node);
    const costUsd = { name: 'costUsd', limit: 0.012, period: HOUR };
    const sup = (await startSupervisor(priced.node, {
      intensity: 100,
      meters: [costUsd],
      children: [doomedAgentSpec(priced.clock, prices)],
    })) as Pid;
    await priced.clock.settle();
    expect(priced.node.isAlive(sup)).toBe(false);
    const [exceeded] = ofType(pricedEvents, 'supervisor.meter_exceeded');
    expect(exceeded).toMatchObject({ meter: 'costUsd', limit: 0.012 });
    expect(exceeded?.spent).toBeCloseTo(0.015, 12); // the third run
    expect(ofType(pricedEvents, 'supervisor.restart')).toHaveLength(2);

    const unpriced = agentWorld();
    const unpricedEvents = recorder(unpriced.node);
    const other = (await startSupervisor(unpriced.node, {
      intensity: 10,
      period: 60_000,
      meters: [costUsd],
      children: [doomedAgentSpec(unpriced.clock)],
    })) as Pid;
    await unpriced.clock.settle();
    // Without a price the meter never moves: restart intensity ends the loop instead.
    expect(unpriced.node.isAlive(other)).toBe(false);
    expect(ofType(unpricedEvents, 'supervisor.meter_exceeded')).toEqual([]);
    expect(ofType(unpricedEvents, 'supervisor.escalated')).toHaveLength(1);
  });

  it("counts a subagent's spend against its parent's supervisor: the reports pass over the parent agent", async () => {
    const { clock, node } = agentWorld();
    const events = recorder(node);
    const workerModel = createScriptedModel({ clock, script: { text: 'done', usage: USAGE } });
    const worker = defineAgent({ name: 'worker', model: workerModel, system: 'You work.' });
    const delegate = defineTool({
      name: 'delegate',
      description: 'hands the work to a worker',
      effect: 'read',
      input: z.object({ n: z.number().int() }),
      run: ({ n }, ctx) => ctx.spawnAgent(`job-${n}`, worker, `job ${n}`),
    });
    // The planner's own calls spend 10 tokens each; each of its workers spends 500.
    let n = 0;
    const plannerModel = createScriptedModel({
      clock,
      script: () => ({
        toolCalls: [{ name: 'delegate', input: { n: n++ } }],
        usage: { inputTokens: 5, outputTokens: 5 },
      }),
    });
    const planner = defineAgent({
      name: 'planner',
      model: plannerModel,
      system: 'You plan.',
      tools: [delegate],
    });
    const spec: SupervisorSpec = {
      meters: [{ name: 'tokens', limit: 1600, period: HOUR }],
      children: [
        { id: 'planner', start: { behaviour: planner, args: { task: { task: 'Plan it' } } } },
      ],
    };
    const sup = await startSupervisor(node, spec);
    if (!isPid(sup)) throw new Error('the supervisor did not start');
    await clock.settle();
    // Planner 10 + worker 500, three times: 1530; the fourth planner call makes 1540, its
    // worker 2040 > 1600. Counted only from the planner, the meter would have stayed at 40.
    expect(node.isAlive(sup)).toBe(false);
    expect(ofType(events, 'supervisor.meter_exceeded')).toMatchObject([
      { supervisor: sup, meter: 'tokens', limit: 1600, spent: 2040 },
    ]);
    expect(workerModel.calls).toHaveLength(4);
    expect(ofType(events, 'supervisor.restart')).toEqual([]);
  });
});
