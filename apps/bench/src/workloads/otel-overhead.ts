import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { defineAgent, defineTool, MemoryCheckpointStore, runTask } from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import { createNode, defineActor, type Node, type Pid } from '@warden/core';
import { z } from 'zod';
import { BenchCheckError, expectEqual } from '../check.js';
import {
  type Case,
  deferred,
  type Metric,
  type Sample,
  scaled,
  type Workload,
} from '../workload.js';

/**
 * What `@warden/otel` costs a node.
 *
 * - `otel-overhead`: ping-pong with `instrumentNode` called and no OpenTelemetry SDK
 *   registered (it then installs nothing), against the same ping-pong without it.
 * - `otel-overhead/always-off`: the same with an SDK tracer whose sampler is `AlwaysOff`: the
 *   observer and the context propagation are installed; a delivery emits no event and, started
 *   outside any span, carries no context, so what is measured is that they put nothing on the
 *   message path.
 * - `otel-overhead/in-trace`: the same, the first ball sent inside an (unsampled) span with a
 *   context manager registered: every delivery carries the trace context and its handler runs
 *   inside it. Reported, with no target: the price of following a flood across processes.
 * - `otel-overhead/agent-unsampled` and `otel-overhead/agent-sampled`: 10-step agent tasks (9
 *   tool calls, then the answer; model latency 0), each run timing tasks without the
 *   instrumentation, with it, and without it again: µs per step and µs it adds per step over the
 *   mean of the two bare loops. Unsampled: an `AlwaysOff` sampler (the events are built and
 *   observed, the spans are not recorded; with no SDK at all nothing is installed).
 *   Sampled: every span recorded by the SDK into an in-memory exporter, and the metrics into a
 *   meter provider. For `raw` the middle loop is bare too: its `added` is the method's noise.
 *
 * `@warden/otel` and the OpenTelemetry SDK are loaded from the otel package (`npx tsc -b
 * packages/otel` builds it), where they are installed.
 */
export const otelOverhead: Workload = {
  name: 'otel-overhead',
  title: 'OpenTelemetry overhead: the instrumentation on ping-pong and on agent steps',
  cases(scale: number): Case[] {
    const n = scaled(1_000_000, scale, 2);
    const tasks = scaled(200, scale, 10);
    return [
      {
        id: 'otel-overhead',
        params: `${n} deliveries; instrumentNode with no SDK vs none, paired in each run`,
        metrics: PAIRED_METRICS,
        ops: n,
        run: {
          raw: () => pairedPingPong(n, undefined),
          warden: () => pairedPingPong(n, 'no-sdk'),
        },
      },
      {
        id: 'otel-overhead/always-off',
        params: `${n} deliveries; instrumentNode with an AlwaysOff SDK tracer vs none, paired in each run`,
        metrics: PAIRED_METRICS,
        ops: n,
        run: {
          raw: () => pairedPingPong(n, undefined),
          warden: () => pairedPingPong(n, 'always-off'),
        },
      },
      {
        id: 'otel-overhead/in-trace',
        params: `${n} deliveries inside an unsampled span, each carrying its context, vs none`,
        metrics: PAIRED_METRICS,
        ops: n,
        run: {
          raw: () => pairedPingPong(n, undefined),
          warden: () => pairedPingPong(n, 'in-trace'),
        },
      },
      {
        id: 'otel-overhead/agent-unsampled',
        params: `${tasks} tasks of 10 steps; instrumentNode with an AlwaysOff tracer vs none`,
        metrics: STEP_METRICS,
        runs: 3,
        run: {
          raw: () => agentSteps(tasks, undefined),
          warden: () => agentSteps(tasks, 'always-off'),
        },
      },
      {
        id: 'otel-overhead/agent-sampled',
        params: `${tasks} tasks of 10 steps; every span recorded (in memory) and metrics vs none`,
        metrics: STEP_METRICS,
        runs: 3,
        run: {
          raw: () => agentSteps(tasks, undefined),
          warden: () => agentSteps(tasks, 'sampled'),
        },
      },
    ];
  },
};

/**
 * `ms`: the instrumented loop; `base`: the mean of the bare loops around it, in the same run;
 * `cpu` and `cpuBase` the same in the process's CPU time, which a busy machine disturbs less;
 * `cpuAdded` their difference in each run (paired, so a run slowed as a whole cancels out).
 */
const PAIRED_METRICS: readonly Metric[] = [
  { key: 'ms', unit: 'ms', label: 'time' },
  { key: 'base', unit: 'ms', label: 'bare, same run' },
  { key: 'cpu', unit: 'ms', label: 'CPU' },
  { key: 'cpuBase', unit: 'ms', label: 'CPU bare, same run' },
  { key: 'cpuAdded', unit: 'ms', label: 'CPU added' },
];

const STEP_METRICS: readonly Metric[] = [
  { key: 'step', unit: 'µs', label: 'per step' },
  { key: 'added', unit: 'µs', label: 'added' },
  { key: 'cpu', unit: 'µs', label: 'CPU per step' },
  { key: 'cpuAdded', unit: 'µs', label: 'CPU added' },
];

type Setup = 'no-sdk' | 'always-off' | 'in-trace' | 'sampled';

/** The parts of `@warden/otel` and of the SDK used here, typed as this file uses them. */
interface Otel {
  instrumentNode(node: Node, options?: { tracer?: unknown; meter?: unknown }): () => void;
}
interface Tracer {
  startActiveSpan<T>(name: string, fn: (span: { end(): void }) => T): T;
}
interface ContextApi {
  readonly context: {
    setGlobalContextManager(manager: unknown): boolean;
    disable(): void;
  };
}
interface Sdk {
  readonly trace: {
    BasicTracerProvider: new (
      options: object,
    ) => {
      getTracer(name: string): unknown;
      shutdown(): Promise<void>;
    };
    SimpleSpanProcessor: new (exporter: unknown) => unknown;
    InMemorySpanExporter: new () => { getFinishedSpans(): unknown[]; reset(): void };
    AlwaysOffSampler: new () => unknown;
    AlwaysOnSampler: new () => unknown;
  };
  readonly metrics: {
    MeterProvider: new (
      options: object,
    ) => {
      getMeter(name: string): unknown;
      shutdown(): Promise<void>;
    };
    MetricReader: abstract new () => object;
  };
  readonly api: ContextApi;
  readonly contextHooks: {
    AsyncLocalStorageContextManager: new () => { enable(): unknown };
  };
}

let loaded: Promise<{ otel: Otel; sdk: Sdk }> | undefined;

function load(): Promise<{ otel: Otel; sdk: Sdk }> {
  loaded ??= (async () => {
    const pkg = new URL('../../../../packages/otel/package.json', import.meta.url);
    const fromOtel = createRequire(pkg);
    const importFromOtel = (name: string) => import(pathToFileURL(fromOtel.resolve(name)).href);
    try {
      const otel = (await import(new URL('dist/index.js', pkg).href)) as Otel;
      const trace = (await importFromOtel('@opentelemetry/sdk-trace-base')) as Sdk['trace'];
      const metrics = (await importFromOtel('@opentelemetry/sdk-metrics')) as Sdk['metrics'];
      const api = (await importFromOtel('@opentelemetry/api')) as Sdk['api'];
      const contextHooks = (await importFromOtel(
        '@opentelemetry/context-async-hooks',
      )) as Sdk['contextHooks'];
      return { otel, sdk: { trace, metrics, api, contextHooks } };
    } catch (error) {
      throw new BenchCheckError(
        `@warden/otel or its SDK could not be loaded (build it: npx tsc -b packages/otel): ${String(error)}`,
      );
    }
  })();
  return loaded;
}

/** Installs the instrumentation as `setup` says; returns how to remove it and what it recorded. */
async function install(
  node: Node,
  setup: Setup,
): Promise<{ stop: () => Promise<void>; spans: () => number; tracer?: Tracer }> {
  const { otel, sdk } = await load();
  if (setup === 'no-sdk') {
    const stop = otel.instrumentNode(node);
    return { stop: async () => stop(), spans: () => 0 };
  }
  if (setup === 'in-trace') {
    sdk.api.context.setGlobalContextManager(
      new sdk.contextHooks.AsyncLocalStorageContextManager().enable(),
    );
  }
  const exporter = new sdk.trace.InMemorySpanExporter();
  const provider = new sdk.trace.BasicTracerProvider({
    sampler:
      setup === 'sampled' ? new sdk.trace.AlwaysOnSampler() : new sdk.trace.AlwaysOffSampler(),
    spanProcessors: [new sdk.trace.SimpleSpanProcessor(exporter)],
  });
  const Reader = class extends (sdk.metrics.MetricReader as new () => object) {
    async onForceFlush(): Promise<void> {}
    async onShutdown(): Promise<void> {}
  };
  const meters = new sdk.metrics.MeterProvider({ readers: [new Reader()] });
  const stop = otel.instrumentNode(node, {
    tracer: provider.getTracer('bench'),
    meter: meters.getMeter('bench'),
  });
  return {
    stop: async () => {
      stop();
      await provider.shutdown();
      await meters.shutdown();
      if (setup === 'in-trace') sdk.api.context.disable();
    },
    spans: () => exporter.getFinishedSpans().length,
    tracer: provider.getTracer('bench') as Tracer,
  };
}

interface PlayerState {
  peer: Pid | undefined;
  readonly n: number;
  readonly done: (deliveries: number) => void;
}

const player = defineActor<PlayerState, PlayerState>({
  init: (state) => state,
  handleInfo: (ball: number | Pid, state, ctx) => {
    if (typeof ball !== 'number') state.peer = ball;
    else if (ball + 1 === state.n) state.done(ball + 1);
    else ctx.send(state.peer as Pid, ball + 1);
    return state;
  },
});

/**
 * A bare ping-pong, one as `setup` says, and a bare one again, in one run: the ratio of the
 * middle loop to the mean of the two around it cancels the drift of a busy machine, which
 * separate runs compared by their medians do not (two identical loops differed by 13%). For
 * `raw` the middle loop is bare too.
 */
async function pairedPingPong(n: number, setup: Setup | undefined): Promise<Sample> {
  const before = await pingPong(n, undefined);
  const mine = await pingPong(n, setup);
  const after = await pingPong(n, undefined);
  const mean = (key: string) => ((before[key] as number) + (after[key] as number)) / 2;
  const cpu = mine.cpu as number;
  return {
    ms: mine.ms as number,
    base: mean('ms'),
    cpu,
    cpuBase: mean('cpu'),
    cpuAdded: cpu - mean('cpu'),
  };
}

async function pingPong(n: number, setup: Setup | undefined): Promise<Sample> {
  const node = createNode({ name: 'bench-otel' });
  const installed = setup === undefined ? undefined : await install(node, setup);
  try {
    const done = deferred<number>();
    const a = node.spawn(player, { args: { peer: undefined, n, done: done.resolve } });
    const b = node.spawn(player, { args: { peer: a, n, done: done.resolve } });
    node.send(a, b);
    await new Promise((resolve) => setImmediate(resolve));
    const cpu = process.cpuUsage();
    const start = performance.now();
    if (setup === 'in-trace') {
      if (installed === undefined) throw new Error('in-trace needs the instrumentation installed');
      (installed.tracer as Tracer).startActiveSpan('flood', (span) => {
        node.send(a, 0);
        span.end();
      });
    } else {
      node.send(a, 0);
    }
    const deliveries = await done.promise;
    const ms = performance.now() - start;
    const used = process.cpuUsage(cpu);
    expectEqual('ping-pong deliveries', deliveries, n);
    return { ms, cpu: (used.user + used.system) / 1000 };
  } finally {
    await installed?.stop();
    await node.stop();
  }
}

const STEPS = 10;

/**
 * µs per step of tasks bare, instrumented as `setup` says, and bare again, in wall time and in
 * the process's CPU time (user + system): the CPU figures hold on a busy machine, where the wall
 * time of a loop that waits on the event loop swells with every wait for a core.
 */
async function agentSteps(tasks: number, setup: Setup | undefined): Promise<Sample> {
  await timeTasks(tasks, undefined);
  await timeTasks(tasks, setup);
  const before = await timeTasks(tasks, undefined);
  const mine = await timeTasks(tasks, setup);
  const after = await timeTasks(tasks, undefined);
  return {
    step: mine.wall,
    added: mine.wall - (before.wall + after.wall) / 2,
    cpu: mine.cpu,
    cpuAdded: mine.cpu - (before.cpu + after.cpu) / 2,
  };
}

async function timeTasks(
  tasks: number,
  setup: Setup | undefined,
): Promise<{ wall: number; cpu: number }> {
  const node = createNode({ name: 'bench-otel-agents' });
  const installed = setup === undefined ? undefined : await install(node, setup);
  try {
    const model = createScriptedModel({
      clock: node.clock,
      script: (request) => {
        let results = 0;
        for (const m of request.messages)
          for (const p of m.content) if (p.type === 'tool-result') results++;
        return results + 1 >= STEPS
          ? { text: 'done' }
          : { toolCalls: [{ name: 'lookup', input: { id: results } }] };
      },
    });
    const lookup = defineTool({
      name: 'lookup',
      description: 'Looks a customer up by id',
      effect: 'read',
      input: z.object({ id: z.number().int() }),
      run: ({ id }) => ({ id, plan: 'pro' }),
    });
    const pid = node.spawn(
      defineAgent({
        name: 'lookup',
        model,
        system: 'You look customers up.',
        tools: [lookup],
        checkpoints: new MemoryCheckpointStore(),
      }),
    );
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < tasks; i++) {
      const result = await runTask(node, pid, { task: `task ${i}`, threadId: `t${i}` });
      expectEqual('task steps', result.steps, STEPS);
    }
    const wall = ((performance.now() - start) * 1000) / (tasks * STEPS);
    const used = process.cpuUsage(cpu);
    if (setup === 'sampled') {
      // A task span, 10 step spans and 9 tool spans per task.
      expectEqual('spans recorded', installed?.spans(), tasks * (1 + STEPS + (STEPS - 1)));
    }
    return { wall, cpu: (used.user + used.system) / (tasks * STEPS) };
  } finally {
    await installed?.stop();
    await node.stop();
  }
}
