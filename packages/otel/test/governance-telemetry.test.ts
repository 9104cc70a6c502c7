import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  ApprovalDesk,
  cancelTask,
  defineAgent,
  defineTool,
  MemoryCheckpointStore,
  MemoryMemoryStore,
  recallTool,
  runTask,
} from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import {
  createInMemoryNetwork,
  createNode,
  defineActor,
  type Node,
  sleep,
  type TraceContext,
} from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { instrumentNode } from '../src/index.js';
import { metricsWorld, pointOf } from './metrics-world.js';
import { only, outcomeOf, parentOf, spanWorld } from './span-world.js';

/**
 * An agent that looks a customer up and refunds them in one step; refunds wait for a person at
 * the desk, and each checkpoint commit takes 25 ms of the node's clock.
 */
function supportAgent(node: Node, clock: TestClock) {
  const desk = new ApprovalDesk({ clock, timeoutMs: 60_000 });
  // zod is no dependency of this package: the tools take recall's `{ query }` input schema.
  const input = recallTool(new MemoryMemoryStore()).input;
  const lookup = defineTool({
    name: 'lookup',
    description: 'Looks a customer up',
    effect: 'read',
    input,
    run: ({ query }) => ({ customer: query, plan: 'pro' }),
  });
  const refund = defineTool({
    name: 'refund',
    description: 'Refunds an order',
    effect: 'write',
    input,
    run: ({ query }) => `refunded ${query}`,
  });
  const store = new MemoryCheckpointStore();
  const agent = defineAgent({
    name: 'support',
    system: '',
    model: createScriptedModel({
      clock,
      script: [
        {
          toolCalls: [
            { name: 'lookup', input: { query: 'customer 7' } },
            { name: 'refund', input: { query: 'o-1' } },
          ],
        },
        { text: 'done' },
      ],
    }),
    tools: [lookup, refund],
    policy: { rules: [{ id: 'refunds', tools: ['refund'], decision: 'ask' }] },
    approvals: { desk },
    checkpoints: {
      commit: async (checkpoint, options) => {
        await sleep(clock, 25);
        await store.commit(checkpoint, options);
      },
      latest: (threadId) => store.latest(threadId),
    },
  });
  return { desk, pid: node.spawn(agent) };
}

const byName = (spans: readonly ReadableSpan[], name: string) =>
  spans.filter((s) => s.name === name);

describe('instrumentNode: tool calls, approvals and checkpoints', () => {
  it('makes a tool span with its effect, journal state and decider, and the wait for a person and the decision under it', async () => {
    const { clock, node, provider, spans } = spanWorld();
    const stop = instrumentNode(node, { tracer: provider.getTracer('test'), metrics: false });
    const { desk, pid } = supportAgent(node, clock);
    const result = outcomeOf(runTask(node, pid, { task: 'refund o-1', threadId: 't-1' }));
    await clock.advance(45_000); // ann answers some 45 seconds after the request
    const [request] = desk.pending();
    await desk.approve(request?.id as string, { approver: 'ann' });
    await clock.advance(1_000);
    expect(result.value().outcome).toBe('done');
    stop();

    const all = spans();
    // The step's event names the provider that answered (the scripted model's own).
    expect(all.find((s) => s.name.startsWith('chat'))?.attributes['gen_ai.provider.name']).toBe(
      'scripted',
    );
    const lookup = only(all, 'execute_tool lookup');
    expect(lookup.attributes).toMatchObject({
      'warden.tool.effect': 'read',
      'warden.journal.state': 'done',
      'warden.tool.decided_by': expect.stringMatching(/^default/),
    });
    const refund = only(all, 'execute_tool refund');
    expect(refund.attributes).toMatchObject({
      'warden.tool.outcome': 'ok',
      'warden.tool.effect': 'write',
      'warden.journal.state': 'done',
      'warden.tool.decided_by': 'person:ann',
      'warden.journal.key': expect.any(String),
    });
    const wait = only(all, 'approval.wait refund');
    expect(parentOf(wait)).toBe(refund.spanContext().spanId);
    expect(wait.attributes).toMatchObject({
      'warden.approval.request_id': request?.id,
      'warden.approval.kind': 'call',
      'warden.approval.rule': 'rule:refunds',
      'warden.approval.decision': 'approved',
      'warden.approval.by': 'person:ann',
      'warden.journal.key': refund.attributes['warden.journal.key'],
    });
    // The wait as the node measured it: from the request to ann's answer.
    const waitedMs = wait.attributes['warden.approval.wait_ms'] as number;
    expect(waitedMs).toBeGreaterThan(44_000);
    expect(wait.duration[0] * 1000 + wait.duration[1] / 1e6).toBe(waitedMs);
    const decision = only(all, 'approval.decision');
    expect(parentOf(decision)).toBe(wait.spanContext().spanId);
    expect(decision.attributes).toMatchObject({
      'warden.approval.decision': 'approved',
      'warden.approval.by': 'person:ann',
    });
    expect(decision.duration).toEqual([0, 0]);
  });

  it('shows a denial: the decision by the person, the tool span failed, its journal entry denied', async () => {
    const { clock, node, provider, spans } = spanWorld();
    const stop = instrumentNode(node, { tracer: provider.getTracer('test'), metrics: false });
    const { desk, pid } = supportAgent(node, clock);
    const result = outcomeOf(runTask(node, pid, { task: 'refund o-1', threadId: 't-2' }));
    await clock.advance(1_000);
    desk.deny(desk.pending()[0]?.id as string, { approver: 'bob', reason: 'no' });
    await clock.advance(1_000);
    expect(result.value().outcome).toBe('done');
    stop();
    const all = spans();
    const refund = only(all, 'execute_tool refund');
    expect(refund.status.code).toBe(SpanStatusCode.ERROR);
    expect(refund.attributes).toMatchObject({
      'error.type': 'ERR_PERMISSION_DENIED',
      'warden.journal.state': 'denied',
      'warden.tool.decided_by': 'person:bob',
    });
    expect(only(all, 'approval.decision').attributes).toMatchObject({
      'warden.approval.decision': 'denied',
      'warden.approval.by': 'person:bob',
    });
  });

  it('ends the wait of a task cancelled while it waited under the step that made the call', async () => {
    const { clock, node, provider, spans } = spanWorld();
    const stop = instrumentNode(node, { tracer: provider.getTracer('test'), metrics: false });
    const { pid } = supportAgent(node, clock);
    const result = outcomeOf(runTask(node, pid, { task: 'refund o-1', threadId: 't-3' }));
    await clock.advance(1_000);
    expect(await cancelTask(node, pid)).toBe(true);
    await clock.advance(1_000);
    expect(result.value().outcome).toBe('cancelled');
    stop();
    const all = spans();
    expect(byName(all, 'execute_tool refund')).toEqual([]);
    const wait = only(all, 'approval.wait refund');
    const step = all.find((s) => s.spanContext().spanId === parentOf(wait));
    expect(step?.name).toMatch(/^chat/);
    expect(wait.attributes).toMatchObject({
      'warden.approval.decision': 'withdrawn',
      'warden.approval.by': 'cancel',
    });
  });

  it('names the person of an approval granted ahead on the tool span, with no wait', async () => {
    const { clock, node, provider, spans } = spanWorld();
    const stop = instrumentNode(node, { tracer: provider.getTracer('test'), metrics: false });
    const { desk, pid } = supportAgent(node, clock);
    await desk.grant({
      agent: 'support',
      tool: 'refund',
      input: { query: 'o-1' },
      approver: 'ann',
    });
    const result = outcomeOf(runTask(node, pid, { task: 'refund o-1', threadId: 't-6' }));
    await clock.advance(1_000);
    expect(result.value().outcome).toBe('done');
    stop();
    const all = spans();
    expect(only(all, 'execute_tool refund').attributes['warden.tool.decided_by']).toBe(
      'person:ann',
    );
    expect(byName(all, 'approval.wait refund')).toEqual([]);
  });

  it('ends the wait of a process that died waiting, withdrawn by its exit, failed', async () => {
    const { clock, node, provider, spans } = spanWorld();
    const stop = instrumentNode(node, { tracer: provider.getTracer('test'), metrics: false });
    const { pid } = supportAgent(node, clock);
    outcomeOf(runTask(node, pid, { task: 'refund o-1', threadId: 't-7' }));
    await clock.advance(1_000);
    node.exit(pid, 'kill');
    await clock.settle();
    stop();
    const wait = only(spans(), 'approval.wait refund');
    expect(wait.status.code).toBe(SpanStatusCode.ERROR);
    expect(wait.attributes).toMatchObject({
      'warden.approval.decision': 'withdrawn',
      'warden.approval.by': 'exit',
    });
  });

  it('counts approvals pending and decided, tool calls by effect and outcome, and checkpoint latency', async () => {
    const { clock, node } = spanWorld();
    const { reader, provider } = metricsWorld();
    const stop = instrumentNode(node, { meter: provider.getMeter('test'), traces: false });
    const { desk, pid } = supportAgent(node, clock);
    const result = outcomeOf(runTask(node, pid, { task: 'refund o-1', threadId: 't-4' }));
    await clock.advance(1_000);
    const waiting = { 'gen_ai.agent.name': 'support', 'gen_ai.tool.name': 'refund' };
    expect(await pointOf(reader, 'warden.agent.approvals.pending', waiting)).toBe(1);
    await desk.approve(desk.pending()[0]?.id as string, { approver: 'ann' });
    await clock.advance(1_000);
    expect(result.value().outcome).toBe('done');
    expect(await pointOf(reader, 'warden.agent.approvals.pending', waiting)).toBe(0);
    expect(
      await pointOf(reader, 'warden.agent.approvals', {
        ...waiting,
        'warden.approval.decision': 'approved',
      }),
    ).toBe(1);
    for (const [tool, effect] of [
      ['lookup', 'read'],
      ['refund', 'write'],
    ]) {
      expect(
        await pointOf(reader, 'warden.agent.tool_calls', {
          'gen_ai.tool.name': tool,
          'warden.tool.effect': effect,
          'warden.tool.outcome': 'ok',
        }),
      ).toBe(1);
    }
    // Four commits (task start, the step's plan, the calls' results, the answer), 25 ms each.
    expect(
      await pointOf(reader, 'warden.agent.checkpoint.duration', { 'gen_ai.agent.name': 'support' }),
    ).toMatchObject({
      count: 4,
      sum: 100,
      min: 25,
      max: 25,
      buckets: { boundaries: expect.arrayContaining([10, 25, 50]) },
    });
    stop();
  });

  it('forgets what a process waited for when it dies waiting', async () => {
    const { clock, node } = spanWorld();
    const { reader, provider } = metricsWorld();
    const stop = instrumentNode(node, { meter: provider.getMeter('test'), traces: false });
    const { pid } = supportAgent(node, clock);
    outcomeOf(runTask(node, pid, { task: 'refund o-1', threadId: 't-5' }));
    await clock.advance(1_000);
    const waiting = { 'gen_ai.agent.name': 'support', 'gen_ai.tool.name': 'refund' };
    expect(await pointOf(reader, 'warden.agent.approvals.pending', waiting)).toBe(1);
    node.exit(pid, 'kill');
    await clock.settle();
    expect(await pointOf(reader, 'warden.agent.approvals.pending', waiting)).toBe(0);
    stop();
  });

  it('counts trace contexts dropped from another node, by reason', async () => {
    const clock = new TestClock();
    const net = createInMemoryNetwork();
    const a = createNode({ name: 'a', clock, transport: net.transport() });
    const b = createNode({ name: 'b', clock, transport: net.transport() });
    const { reader, provider } = metricsWorld();
    const stop = instrumentNode(b, { meter: provider.getMeter('test'), traces: false });
    const junk: TraceContext = { traceparent: 'not-w3c' };
    a.setContextPropagation({ current: () => junk, run: (_c, fn) => fn() });
    const sink = b.spawn(defineActor<null>({ init: () => null, handleInfo: (_m, s) => s }));
    a.send(sink, 'one');
    a.send(sink, 'two');
    await clock.settle();
    expect(
      await pointOf(reader, 'warden.trace_context.dropped', {
        'warden.trace_context.reason': 'malformed-traceparent',
      }),
    ).toBe(2);
    stop();
  });
});
