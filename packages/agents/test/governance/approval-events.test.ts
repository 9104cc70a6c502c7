// What an agent publishes about approvals, tool calls and checkpoints: the fields traces and
// metrics are built from (packages/otel, docs/observability.md).
import { sleep } from '@warden/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runTask } from '../../src/agent/agent-protocol.js';
import { defineAgent } from '../../src/agent/define-agent.js';
import { ApprovalDesk } from '../../src/governance/approval-desk.js';
import type { PolicyOptions } from '../../src/governance/policy.js';
import { MemoryCheckpointStore } from '../../src/store/checkpoint-store.js';
import { createScriptedModel } from '../../src/testing/index.js';
import { defineTool } from '../../src/tools/tool.js';
import { agentWorld, lookupTool, outcomeOf } from '../agent/agent-world.js';

const ASK: PolicyOptions = { rules: [{ id: 'refunds', tools: ['refund'], decision: 'ask' }] };

/** An agent that looks a customer up and refunds them in one step; refunds wait for a person. */
function world() {
  const { clock, node } = agentWorld();
  const events: Record<string, unknown>[] = [];
  node.inspect((e) => {
    if (e.type === 'published') events.push(e.event as Record<string, unknown>);
  });
  const desk = new ApprovalDesk({ clock, timeoutMs: 60_000 });
  const refund = defineTool({
    name: 'refund',
    description: 'Refunds an order',
    effect: 'write',
    input: z.object({ order: z.string() }),
    run: ({ order }) => `refunded ${order}`,
  });
  const checkpoints = new MemoryCheckpointStore();
  const agent = defineAgent({
    name: 'support',
    system: '',
    model: createScriptedModel({
      clock,
      script: [
        {
          toolCalls: [
            { name: 'lookup', input: { id: 7 } },
            { name: 'refund', input: { order: 'o-1' } },
          ],
        },
        { text: 'done' },
      ],
    }),
    tools: [lookupTool(), refund],
    policy: ASK,
    approvals: { desk },
    // A commit that takes 25 ms of the node's clock, as a store on a disk would.
    checkpoints: {
      commit: async (checkpoint, options) => {
        await sleep(clock, 25);
        await checkpoints.commit(checkpoint, options);
      },
      latest: (threadId) => checkpoints.latest(threadId),
    },
  });
  const pid = node.spawn(agent);
  const of = (type: string) => events.filter((e) => e.type === type);
  return { clock, node, desk, pid, of };
}

describe('the events of approvals, tool calls and checkpoints', () => {
  it('publishes the request and who approved it, and each tool call with its effect, journal state and decider', async () => {
    const w = world();
    const result = outcomeOf(runTask(w.node, w.pid, { task: 'refund o-1', threadId: 't-1' }));
    await w.clock.advance(1_000);
    const [request] = w.desk.pending();
    expect(w.of('governance.approval_requested')).toEqual([
      expect.objectContaining({
        agent: 'support',
        threadId: 't-1',
        tool: 'refund',
        effect: 'write',
        key: expect.any(String),
        requestId: request?.id,
        kind: 'call',
        rule: 'rule:refunds',
      }),
    ]);
    await w.desk.approve(request?.id as string, { approver: 'ann' });
    await w.clock.advance(1_000);
    expect(result.value().outcome).toBe('done');
    const [asked] = w.of('governance.approval_requested');
    expect(w.of('governance.approval_decided')).toEqual([
      expect.objectContaining({
        tool: 'refund',
        key: asked?.key,
        requestId: request?.id,
        decision: 'approved',
        by: 'person:ann',
      }),
    ]);
    expect(w.of('agent.tool_call')).toEqual([
      expect.objectContaining({
        tool: 'lookup',
        outcome: 'ok',
        effect: 'read',
        journal: 'done',
        decidedBy: expect.stringMatching(/^default/),
      }),
      expect.objectContaining({
        tool: 'refund',
        outcome: 'ok',
        effect: 'write',
        key: asked?.key,
        journal: 'done',
        decidedBy: 'person:ann',
      }),
    ]);
  });

  it('publishes a denial with its person, and the tool call it refused as denied', async () => {
    const w = world();
    const result = outcomeOf(runTask(w.node, w.pid, { task: 'refund o-1', threadId: 't-2' }));
    await w.clock.advance(1_000);
    const [request] = w.desk.pending();
    w.desk.deny(request?.id as string, { approver: 'bob', reason: 'not this one' });
    await w.clock.advance(1_000);
    expect(result.value().outcome).toBe('done');
    expect(w.of('governance.approval_decided')).toEqual([
      expect.objectContaining({ decision: 'denied', by: 'person:bob' }),
    ]);
    expect(w.of('agent.tool_call').at(-1)).toMatchObject({
      tool: 'refund',
      outcome: 'ERR_PERMISSION_DENIED',
      journal: 'denied',
      decidedBy: 'person:bob',
    });
  });

  it('publishes a deadline nobody met as a timeout', async () => {
    const w = world();
    outcomeOf(runTask(w.node, w.pid, { task: 'refund o-1', threadId: 't-3' }));
    await w.clock.advance(61_000);
    expect(w.of('governance.approval_decided')).toEqual([
      expect.objectContaining({ decision: 'timeout', by: 'timeout' }),
    ]);
  });

  it('publishes each checkpoint commit with how long it took on the node clock', async () => {
    const w = world();
    const result = outcomeOf(runTask(w.node, w.pid, { task: 'refund o-1', threadId: 't-4' }));
    await w.clock.advance(1_000);
    await w.desk.approve(w.desk.pending()[0]?.id as string, { approver: 'ann' });
    await w.clock.advance(1_000);
    expect(result.value().outcome).toBe('done');
    const commits = w.of('agent.checkpoint');
    // At the start, after the step that planned the calls, after their results, at the answer.
    expect(commits.map((c) => [c.step, c.version, c.ms])).toEqual([
      [0, 1, 25],
      [1, 2, 25],
      [1, 3, 25],
      [2, 4, 25],
    ]);
    expect(commits[0]).toMatchObject({ agent: 'support', threadId: 't-4' });
  });
});
