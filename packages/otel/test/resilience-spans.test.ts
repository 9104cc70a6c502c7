import { SpanStatusCode } from '@opentelemetry/api';
import {
  createModelPolicy,
  createResilientModel,
  defineAgent,
  MemoryMemoryStore,
  recallTool,
  runTask,
} from '@warden/agents';
import { createScriptedModel, faults, outage } from '@warden/agents/testing';
import { describe, expect, it } from 'vitest';
import { BREAKER_STATE_VALUES, instrumentNode } from '../src/index.js';
import { metricsWorld, pointOf } from './metrics-world.js';
import { only, outcomeOf, parentOf, spanWorld } from './span-world.js';

const ask = (text: string) => ({
  messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text }] }],
});

describe('instrumentNode: breaker, ladder and agent decisions', () => {
  it('makes one span per breaker outage, from trip to close, and a span per ladder move', async () => {
    const { clock, node, provider, spans } = spanWorld();
    const meters = metricsWorld();
    const stop = instrumentNode(node, {
      tracer: provider.getTracer('test'),
      meter: meters.provider.getMeter('test'),
    });
    const policy = createModelPolicy({
      clock,
      node,
      retry: { maxAttempts: 1 },
      breaker: { failure: { threshold: 2 }, openTimeout: { initialMs: 10_000, multiplier: 1 } },
    });
    const primary = createScriptedModel({
      clock,
      provider: 'primary-co',
      script: { text: 'primary' },
      faults: [outage(0, 5_000)],
    });
    const fallback = createScriptedModel({
      clock,
      provider: 'fallback-co',
      script: { text: 'fb' },
    });
    const model = createResilientModel({ policy, primary, fallbacks: [fallback], queue: false });
    for (let i = 0; i < 3; i++) await model.generate(ask(`q${i}`));
    expect(await pointOf(meters.reader, 'warden.breaker.state')).toBe(BREAKER_STATE_VALUES.open);
    await clock.advance(20_000);
    await model.generate(ask('after the outage'));
    await clock.settle();
    expect(model.level).toBe('primary');
    expect(await pointOf(meters.reader, 'warden.breaker.state')).toBe(BREAKER_STATE_VALUES.closed);
    stop();

    const all = spans();
    const outage_ = all.filter((s) => s.name.startsWith('breaker.open'));
    expect(outage_).toHaveLength(1);
    const open = outage_[0];
    // Open from the trip at 0 until the probe closed it, after the 10 s open timeout.
    expect(open?.attributes['warden.breaker.closed_by']).toBe('breaker.close');
    expect(open?.events.map((e) => e.name)).toContain('breaker.half_open');
    expect(open?.duration[0]).toBeGreaterThanOrEqual(10);
    const moves = all.filter((s) => s.name === 'ladder.move');
    expect(moves.map((m) => [m.attributes['warden.from'], m.attributes['warden.to']])).toEqual([
      ['primary', 'fallback-1'],
      ['fallback-1', 'primary'],
    ]);
    expect(
      await pointOf(meters.reader, 'warden.ladder.moves', { 'warden.ladder.to': 'fallback-1' }),
    ).toBe(1);
  });

  it('marks a budget stop as a failed decision span inside the step that crossed it', async () => {
    const { clock, node, provider, spans } = spanWorld();
    const stop = instrumentNode(node, { tracer: provider.getTracer('test'), metrics: false });
    const model = createScriptedModel({
      clock,
      script: { toolCalls: [{ name: 'missing', input: {} }] },
    });
    const agent = defineAgent({ name: 'spender', model, system: '', limits: { steps: 2 } });
    const result = outcomeOf(runTask(node, node.spawn(agent), 'go'));
    await clock.advance(1_000);
    expect(result.settled()).toBe(true);
    stop();
    const all = spans();
    const decision = only(all, 'agent.budget_exceeded');
    expect(decision.status.code).toBe(SpanStatusCode.ERROR);
    expect(decision.attributes['warden.code']).toBe('ERR_BUDGET_EXCEEDED');
    const task = only(all, 'invoke_agent spender');
    expect(task.status.code).toBe(SpanStatusCode.ERROR);
    expect(task.attributes['error.type']).toBe('ERR_BUDGET_EXCEEDED');
    const step = all.find((s) => s.spanContext().spanId === parentOf(decision));
    expect(step?.name).toBe('chat');
    expect(parentOf(step as NonNullable<typeof step>)).toBe(task.spanContext().spanId);
    // The unknown tool is an observation the model is told about, with its error as outcome.
    const tool = all.find((s) => s.name === 'execute_tool missing');
    expect(tool?.attributes['warden.tool.outcome']).not.toBe('ok');
    expect(tool?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('shows a move to the fallback model as a decision span inside the step', async () => {
    const { clock, node, provider, spans } = spanWorld();
    const stop = instrumentNode(node, { tracer: provider.getTracer('test'), metrics: false });
    const primary = createScriptedModel({
      clock,
      model: 'big',
      script: { text: 'never' },
      faults: [{ effect: faults.overloaded() }],
    });
    const small = createScriptedModel({ clock, model: 'small', script: { text: 'small answer' } });
    const agent = defineAgent({ name: 'laddered', model: primary, fallbacks: [small], system: '' });
    const result = outcomeOf(runTask(node, node.spawn(agent), 'go'));
    await clock.advance(1_000);
    expect(result.value().text).toBe('small answer');
    stop();
    const all = spans();
    const degrade = only(all, 'agent.degrade');
    expect(degrade.attributes).toMatchObject({ 'warden.level': 1, 'warden.kind': 'overloaded' });
    const step = only(all, 'chat small');
    expect(parentOf(degrade)).toBe(step.spanContext().spanId);
  });

  it('shows a compaction as a decision span inside the step whose model call overflowed', async () => {
    const { clock, node, provider, spans } = spanWorld();
    const stop = instrumentNode(node, { tracer: provider.getTracer('test'), metrics: false });
    const model = createScriptedModel({
      clock,
      model: 'm',
      script: [{ toolCalls: [{ name: 'recall', input: { query: 'x' } }] }, { text: 'done' }],
      faults: [
        {
          calls: [1],
          effect: {
            type: 'error',
            kind: 'context_length',
            status: 400,
            providerCode: 'context_length_exceeded',
            message: 'maximum context length exceeded',
          },
        },
      ],
    });
    const agent = defineAgent({
      name: 'compactor',
      model,
      system: '',
      tools: [recallTool(new MemoryMemoryStore())],
    });
    const result = outcomeOf(runTask(node, node.spawn(agent), 'go'));
    await clock.advance(1_000);
    expect(result.value().text).toBe('done');
    stop();
    const all = spans();
    const compaction = only(all, 'agent.compaction');
    expect(compaction.status.code).not.toBe(SpanStatusCode.ERROR);
    const steps = all.filter((s) => s.name === 'chat m');
    expect(steps).toHaveLength(2);
    const second = steps[1] as (typeof steps)[0];
    expect(parentOf(compaction)).toBe(second.spanContext().spanId);
    expect(second.events.map((e) => e.name)).toContain('agent.context_overflow');
  });
});
