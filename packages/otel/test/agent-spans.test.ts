import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  defineAgent,
  MemoryCheckpointStore,
  MemoryMemoryStore,
  recallTool,
  runTask,
  type ToolContext,
} from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import { type Pid, startSupervisor } from '@warden/core';
import { describe, expect, it } from 'vitest';
import { instrumentNode } from '../src/index.js';
import { names, only, outcomeOf, parentOf, spanWorld } from './span-world.js';

describe('instrumentNode: agent spans', () => {
  it('makes a task span, a chat span per step and an execute_tool span per call, with GenAI attributes', async () => {
    const { clock, node, provider, spans } = spanWorld();
    const stop = instrumentNode(node, { tracer: provider.getTracer('test'), metrics: false });
    const model = createScriptedModel({
      clock,
      model: 'scripted-large',
      latencyMs: 1_000,
      script: [{ toolCalls: [{ name: 'recall', input: { query: 'plan' } }] }, { text: 'done' }],
    });
    const agent = defineAgent({
      name: 'planner',
      model,
      system: '',
      tools: [recallTool(new MemoryMemoryStore())],
    });
    const result = outcomeOf(runTask(node, node.spawn(agent), { task: 'go', threadId: 'th-1' }));
    await clock.advance(10_000);
    expect(result.value()).toMatchObject({ outcome: 'done', steps: 2 });
    stop();

    const all = spans();
    const task = only(all, 'invoke_agent planner');
    expect(task.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'planner',
      'gen_ai.conversation.id': 'th-1',
      'warden.agent.steps': 2,
    });
    expect(task.status.code).not.toBe(SpanStatusCode.ERROR);
    const steps = all.filter((s) => s.name === 'chat scripted-large');
    expect(steps).toHaveLength(2);
    for (const step of steps) {
      expect(parentOf(step)).toBe(task.spanContext().spanId);
      expect(step.spanContext().traceId).toBe(task.spanContext().traceId);
      expect(step.attributes['gen_ai.operation.name']).toBe('chat');
      expect(step.attributes['gen_ai.response.model']).toBe('scripted-large');
      expect(step.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(step.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
      // The step lasts its model call: the scripted model answers after one virtual second.
      expect(step.duration).toEqual([1, 0]);
    }
    expect(steps.map((s) => s.attributes['gen_ai.response.finish_reasons'])).toEqual([
      ['tool-calls'],
      ['stop'],
    ]);
    const tool = only(all, 'execute_tool recall');
    expect(parentOf(tool)).toBe(steps[0]?.spanContext().spanId);
    expect(tool.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'recall',
      'warden.tool.outcome': 'ok',
    });
  });

  it('tells why an agent restarted: crash or kill, restart, resumed task and its steps', async () => {
    const { clock, node, provider, spans } = spanWorld();
    const stop = instrumentNode(node, { tracer: provider.getTracer('test'), metrics: false });
    const store = new MemoryCheckpointStore();
    const model = createScriptedModel({
      clock,
      latencyMs: 1_000,
      script: (request) =>
        request.messages.length >= 5
          ? { text: 'done' }
          : { toolCalls: [{ name: 'recall', input: { query: `q${request.messages.length}` } }] },
    });
    const agent = defineAgent({
      name: 'planner',
      model,
      system: '',
      tools: [recallTool(new MemoryMemoryStore())],
      checkpoints: store,
    });
    await startSupervisor(node, {
      children: [{ id: 'planner', start: { behaviour: agent, options: { name: 'planner' } } }],
    });
    const first = outcomeOf(runTask(node, 'planner', { task: 'go', threadId: 't-1' }));
    await clock.advance(1_500); // the first step done, the second in flight
    node.exit(node.whereis('planner') as Pid, 'kill');
    await clock.settle();
    expect(first.settled()).toBe(true);
    const second = outcomeOf(runTask(node, 'planner', { task: 'go', threadId: 't-1' }));
    await clock.advance(10_000);
    expect(second.value()).toMatchObject({ outcome: 'done' });
    stop();

    const all = spans();
    const tasks = all.filter((s) => s.name === 'invoke_agent planner');
    expect(tasks).toHaveLength(2);
    const [killed, resumed] = tasks as [(typeof tasks)[0], (typeof tasks)[0]];
    // The killed run ends failed, with the reason it was dealt.
    expect(killed.status.code).toBe(SpanStatusCode.ERROR);
    expect(killed.attributes['warden.exit.reason']).toBe('killed');
    // The restart is in the trace of the run that died, nested under it: the kill caused it.
    const restart = only(all, 'supervisor.restart planner');
    expect(restart.spanContext().traceId).toBe(killed.spanContext().traceId);
    expect(parentOf(restart)).toBe(killed.spanContext().spanId);
    expect(restart.links.map((l) => l.context.spanId)).toEqual([killed.spanContext().spanId]);
    // The resumed run links to the restart that started its process and to the run it resumes.
    expect(resumed.attributes['warden.agent.resumed']).toBe(true);
    expect(resumed.links.map((l) => [l.context.spanId, l.attributes?.['warden.link']])).toEqual([
      [restart.spanContext().spanId, 'restarted_by'],
      [killed.spanContext().spanId, 'resumes'],
    ]);
    // Its steps are its children; the first carries the same causes.
    const resumedSteps = all.filter(
      (s) => s.name.startsWith('chat') && parentOf(s) === resumed.spanContext().spanId,
    );
    expect(resumedSteps.length).toBeGreaterThan(0);
    expect(resumedSteps[0]?.links.map((l) => l.context.spanId)).toContain(
      restart.spanContext().spanId,
    );
    // The step in flight when the kill came ends failed inside the killed run.
    const cut = all.filter((s) => s.name === 'chat' && parentOf(s) === killed.spanContext().spanId);
    expect(cut.map((s) => s.status.code)).toEqual([SpanStatusCode.ERROR]);
    expect(names(all)).not.toContain('actor.crash'); // a kill is no crash
  });

  it('does not blame a finished task for a kill that came after it', async () => {
    const { clock, node, provider, spans } = spanWorld();
    const stop = instrumentNode(node, { tracer: provider.getTracer('test'), metrics: false });
    const model = createScriptedModel({ clock, script: { text: 'done' } });
    const agent = defineAgent({ name: 'idle', model, system: '' });
    await startSupervisor(node, {
      children: [{ id: 'idle', start: { behaviour: agent, options: { name: 'idle' } } }],
    });
    const result = outcomeOf(runTask(node, 'idle', 'go'));
    await clock.advance(1_000);
    expect(result.value().outcome).toBe('done');
    node.exit(node.whereis('idle') as Pid, 'kill');
    await clock.settle();
    stop();
    const all = spans();
    const task = only(all, 'invoke_agent idle');
    expect(task.status.code).not.toBe(SpanStatusCode.ERROR);
    const restart = only(all, 'supervisor.restart idle');
    expect(parentOf(restart)).toBeUndefined();
    expect(restart.links).toEqual([]);
  });

  it('tells why an agent restarted after it crashed mid-task: crash report, restart, resumed task', async () => {
    const { clock, node, provider, spans } = spanWorld();
    const stop = instrumentNode(node, { tracer: provider.getTracer('test'), metrics: false });
    let commits = 0;
    /** A store whose fourth commit fails (the one after the second step's answer). */
    class FlakyStore extends MemoryCheckpointStore {
      override async commit(...args: Parameters<MemoryCheckpointStore['commit']>): Promise<void> {
        if (++commits === 4) throw new Error('disk full');
        return super.commit(...args);
      }
    }
    const model = createScriptedModel({
      clock,
      latencyMs: 1_000,
      script: (request) =>
        request.messages.length >= 5
          ? { text: 'done' }
          : { toolCalls: [{ name: 'recall', input: { query: `q${request.messages.length}` } }] },
    });
    const agent = defineAgent({
      name: 'planner',
      model,
      system: '',
      tools: [recallTool(new MemoryMemoryStore())],
      checkpoints: new FlakyStore(),
    });
    await startSupervisor(node, {
      children: [{ id: 'planner', start: { behaviour: agent, options: { name: 'planner' } } }],
    });
    const first = outcomeOf(runTask(node, 'planner', { task: 'go', threadId: 'c-1' }));
    await clock.advance(5_000);
    expect(first.settled()).toBe(true);
    const second = outcomeOf(runTask(node, 'planner', { task: 'go', threadId: 'c-1' }));
    await clock.advance(10_000);
    expect(second.value()).toMatchObject({ outcome: 'done' });
    stop();

    const all = spans();
    const [crashed, resumed] = all.filter((s) => s.name === 'invoke_agent planner') as [
      ReadableSpan,
      ReadableSpan,
    ];
    const crash = only(all, 'actor.crash');
    expect(crash.attributes['warden.exit.reason']).toContain('disk full');
    // The crash happened in the second step (its commit failed), inside the run that crashed.
    const step = all.find((s) => s.spanContext().spanId === parentOf(crash)) as ReadableSpan;
    expect(step.attributes['warden.agent.step']).toBe(2);
    expect(parentOf(step)).toBe(crashed.spanContext().spanId);
    expect(crashed.status.code).toBe(SpanStatusCode.ERROR);
    const restart = only(all, 'supervisor.restart planner');
    expect(parentOf(restart)).toBe(crash.spanContext().spanId);
    expect(restart.links.map((l) => l.context.spanId)).toEqual([crash.spanContext().spanId]);
    expect(resumed.links.map((l) => l.context.spanId)).toEqual([
      restart.spanContext().spanId,
      crashed.spanContext().spanId,
    ]);
    // The resumed run retries the second step: its first step span is step 2 again.
    const retried = all.filter(
      (s) => s.name.startsWith('chat') && parentOf(s) === resumed.spanContext().spanId,
    );
    expect(retried[0]?.attributes['warden.agent.step']).toBe(2);
    expect(retried[0]?.links.map((l) => l.context.spanId)).toContain(restart.spanContext().spanId);
  });

  it('nests a subagent task under the step whose tool call spawned it', async () => {
    const { clock, node, provider, spans } = spanWorld();
    const stop = instrumentNode(node, { tracer: provider.getTracer('test'), metrics: false });
    const helper = defineAgent({
      name: 'helper',
      model: createScriptedModel({ clock, script: { text: 'helped' } }),
      system: '',
    });
    // A tool that hands its query to a subagent (recall's input schema, a tool of its own).
    const recall = recallTool(new MemoryMemoryStore());
    const delegate = {
      ...recall,
      name: 'delegate',
      spec: { ...recall.spec, name: 'delegate' },
      run: async ({ query }: { query: string }, ctx: ToolContext) =>
        (await ctx.spawnAgent(`help:${query}`, helper, query)).text,
    };
    const lead = defineAgent({
      name: 'lead',
      model: createScriptedModel({
        clock,
        script: [{ toolCalls: [{ name: 'delegate', input: { query: 'x' } }] }, { text: 'done' }],
      }),
      system: '',
      tools: [delegate],
    });
    const result = outcomeOf(runTask(node, node.spawn(lead), 'go'));
    await clock.advance(1_000);
    expect(result.value().text).toBe('done');
    stop();
    const all = spans();
    const leadTask = only(all, 'invoke_agent lead');
    const sub = only(all, 'invoke_agent helper');
    const step = all.find((s) => s.spanContext().spanId === parentOf(sub)) as ReadableSpan;
    expect(step.name.startsWith('chat')).toBe(true);
    expect(step.attributes['warden.agent.step']).toBe(1);
    expect(parentOf(step)).toBe(leadTask.spanContext().spanId);
    expect(sub.spanContext().traceId).toBe(leadTask.spanContext().traceId);
    expect(sub.attributes['warden.agent.spawned_by']).toBe(leadTask.attributes['warden.pid']);
  });
});
