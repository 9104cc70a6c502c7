import { context, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  type AgentResult,
  defineAgent,
  MemoryCheckpointStore,
  MemoryMemoryStore,
  recallTool,
  runTask,
} from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import {
  type Clock,
  createInMemoryNetwork,
  createNode,
  type Node,
  type Pid,
  sleep,
  startSupervisor,
} from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { createClusterKey, createWsTransport, issueNodeCredential } from '@warden/transport-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentNode } from '../src/index.js';
import { only, outcomeOf, parentOf } from './span-world.js';

// The active context follows the caller's awaits, as the Node SDK sets it up.
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  context.disable();
});

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
    // Asked for outside any span, the caller has no context to send: each task starts a trace
    // of its own on the agent's node (the links tell the story).
    expect(new Set(tasks.map((t) => t.spanContext().traceId)).size).toBe(2);
    expect(parentOf(killed)).toBeUndefined();
    await a.stop();
    await b.stop();
  });
});

/** Two nodes on one clock, joined one way or another; `close` ends both. */
type Pair = (clock: Clock) => Promise<{ a: Node; b: Node; close: () => Promise<void> }>;

const inMemory: Pair = async (clock) => {
  const net = createInMemoryNetwork();
  const a = createNode({ name: 'caller', clock, transport: net.transport() });
  const b = createNode({ name: 'worker', clock, transport: net.transport() });
  return { a, b, close: async () => Promise.all([a.stop(), b.stop()]).then(() => undefined) };
};

/** Over WebSockets on 127.0.0.1: the transports take part in the clock's settle. */
const overWebSockets: Pair = async (clock) => {
  const key = createClusterKey();
  const start = async (name: string) => {
    const credential = issueNodeCredential(key.privateKey, name, {
      expiresAt: Date.now() + 24 * 60 * 60 * 1000,
    });
    const transport = createWsTransport({
      secret: 'otel-two-nodes-secret-0123456789abcdef',
      identity: {
        clusterKey: key.publicKey,
        certificate: credential.certificate,
        privateKey: credential.privateKey,
      },
    });
    const node = createNode({ name, clock, transport });
    const bound = await transport.listen({ host: '127.0.0.1', port: 0 });
    return { node, transport, address: `${bound.host}:${bound.port}` };
  };
  const a = await start('caller');
  const b = await start('worker');
  await a.transport.connect(b.address, { timeout: 10_000 });
  return {
    a: a.node,
    b: b.node,
    close: async () => {
      await a.node.stop();
      await b.node.stop();
      await Promise.all([a.transport.close(), b.transport.close()]);
    },
  };
};

describe.each([
  ['the in-memory network', inMemory],
  ['WebSockets on 127.0.0.1', overWebSockets],
])('instrumentNode: one trace across two nodes over %s', (_, pair) => {
  it('follows a request from the caller node through the crash, the restart and the retried step on the worker node', async () => {
    const clock = new TestClock();
    const { a, b, close } = await pair(clock);
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    }).getTracer('test');
    const stops = [
      instrumentNode(a, { tracer, metrics: false }),
      instrumentNode(b, { tracer, metrics: false }),
    ];
    let commits = 0;
    /** A store whose fourth commit fails (the one after the second step's answer). */
    class FlakyStore extends MemoryCheckpointStore {
      override async commit(...args: Parameters<MemoryCheckpointStore['commit']>): Promise<void> {
        if (++commits === 4) throw new Error('disk full');
        return super.commit(...args);
      }
    }
    const agent = defineAgent({
      name: 'planner',
      model: createScriptedModel({
        clock,
        latencyMs: 1_000,
        script: (request) =>
          request.messages.length >= 5
            ? { text: 'done' }
            : { toolCalls: [{ name: 'recall', input: { query: `q${request.messages.length}` } }] },
      }),
      system: '',
      tools: [recallTool(new MemoryMemoryStore())],
      checkpoints: new FlakyStore(),
    });
    await startSupervisor(b, {
      children: [{ id: 'planner', start: { behaviour: agent, options: { name: 'planner' } } }],
    });
    await clock.settle();

    // The caller's request, on the caller node: it retries the task once it fails, as a client
    // with a retry policy would, inside the one span of the request.
    const request = outcomeOf(
      tracer.startActiveSpan('handle request', async (span): Promise<AgentResult> => {
        try {
          for (let attempt = 1; ; attempt++) {
            try {
              return await runTask(a, b.whereis('planner') as Pid, {
                task: 'go',
                threadId: 'x-1',
              });
            } catch (error) {
              if (attempt === 3) throw error;
              await sleep(a.clock, 1_000);
            }
          }
        } finally {
          span.end();
        }
      }),
    );
    for (let i = 0; i < 20 && !request.settled(); i++) await clock.advance(1_000);
    expect(request.value()).toMatchObject({ outcome: 'done' });
    for (const stop of stops) stop();
    await close();

    const spans = exporter.getFinishedSpans();
    const root = only(spans, 'handle request');
    const trace = root.spanContext().traceId;
    // Every span of the story is in the request's trace: one trace, across the two nodes.
    expect(spans.filter((s) => s.spanContext().traceId !== trace).map((s) => s.name)).toEqual([]);
    const [crashed, resumed] = spans.filter((s) => s.name === 'invoke_agent planner') as [
      ReadableSpan,
      ReadableSpan,
    ];
    for (const task of [crashed, resumed]) {
      expect(parentOf(task)).toBe(root.spanContext().spanId);
      expect(String(task.attributes['warden.pid'])).toMatch(/^<worker\./);
    }
    expect(crashed.status.code).toBe(SpanStatusCode.ERROR);
    const crash = only(spans, 'actor.crash');
    const crashedStep = spans.find((s) => s.spanContext().spanId === parentOf(crash));
    expect(crashedStep?.attributes['warden.agent.step']).toBe(2);
    expect(parentOf(crashedStep as ReadableSpan)).toBe(crashed.spanContext().spanId);
    const restart = only(spans, 'supervisor.restart planner');
    expect(parentOf(restart)).toBe(crash.spanContext().spanId);
    expect(resumed.links.map((l) => l.context.spanId)).toEqual([
      restart.spanContext().spanId,
      crashed.spanContext().spanId,
    ]);
    const retried = spans.find(
      (s) => s.name.startsWith('chat') && parentOf(s) === resumed.spanContext().spanId,
    );
    expect(retried?.attributes['warden.agent.step']).toBe(2);
  });
});
