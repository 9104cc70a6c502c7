import { SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  defineAgent,
  MemoryCheckpointStore,
  MemoryMemoryStore,
  recallTool,
  runTask,
} from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import { createInMemoryNetwork, createNode, type Pid, startSupervisor } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { instrumentNode } from '../src/index.js';
import { only, outcomeOf, parentOf } from './span-world.js';

describe('instrumentNode: two nodes', () => {
  it('traces a task a remote caller asked for, the kill it sent, the restart and the resumed task on the agent node', async () => {
    const clock = new TestClock();
    const net = createInMemoryNetwork();
    const a = createNode({ name: 'caller', clock, transport: net.transport() });
    const b = createNode({ name: 'worker', clock, transport: net.transport() });
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('test');
    const stops = [
      instrumentNode(a, { tracer, metrics: false }),
      instrumentNode(b, { tracer, metrics: false }),
    ];
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
      checkpoints: new MemoryCheckpointStore(),
    });
    await startSupervisor(b, {
      children: [{ id: 'planner', start: { behaviour: agent, options: { name: 'planner' } } }],
    });
    await clock.settle();
    const first = outcomeOf(
      runTask(a, b.whereis('planner') as Pid, { task: 'go', threadId: 'x-1' }),
    );
    await clock.advance(1_500);
    a.exit(b.whereis('planner') as Pid, 'kill'); // the kill crosses the wire
    await clock.settle();
    expect(first.settled()).toBe(true);
    const second = outcomeOf(
      runTask(a, b.whereis('planner') as Pid, { task: 'go', threadId: 'x-1' }),
    );
    await clock.advance(10_000);
    expect(second.value()).toMatchObject({ outcome: 'done' });
    for (const stop of stops) stop();

    const spans = exporter.getFinishedSpans();
    const tasks = spans.filter((s) => s.name === 'invoke_agent planner');
    expect(tasks).toHaveLength(2);
    for (const task of tasks) expect(String(task.attributes['warden.pid'])).toMatch(/^<worker\./);
    const [killed, resumed] = tasks as [(typeof tasks)[0], (typeof tasks)[0]];
    expect(killed.status.code).toBe(SpanStatusCode.ERROR);
    const restart = only(spans, 'supervisor.restart planner');
    expect(parentOf(restart)).toBe(killed.spanContext().spanId);
    expect(resumed.links.map((l) => l.context.spanId)).toEqual([
      restart.spanContext().spanId,
      killed.spanContext().spanId,
    ]);
    // Without trace context in the envelopes the caller's side has no span to join: each task
    // starts a trace of its own on the agent's node.
    expect(new Set(tasks.map((t) => t.spanContext().traceId)).size).toBe(2);
    expect(parentOf(killed)).toBeUndefined();
    await a.stop();
    await b.stop();
  });
});
