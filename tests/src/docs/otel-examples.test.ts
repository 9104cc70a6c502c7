// The code blocks of docs/observability.md about traces and metrics, each a region of this file,
// run as tests here; docs-examples.test.ts holds the docs to these regions.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Context,
  type ContextManager,
  context,
  ROOT_CONTEXT,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { defineAgent, runTask } from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import { createInMemoryNetwork, createNode, defineActor, startSupervisor } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { instrumentNode, serveMetrics, traceModel } from '@warden/otel';
import { afterEach, describe, expect, it } from 'vitest';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
  trace.disable();
});

/** An OTLP/HTTP collector stand-in on 127.0.0.1 that records the span names it receives. */
async function collector(): Promise<{ url: string; names: string[] }> {
  const names: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      const parsed = JSON.parse(body) as {
        resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[];
      };
      for (const rs of parsed.resourceSpans)
        for (const ss of rs.scopeSpans) for (const s of ss.spans) names.push(s.name);
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, names };
}

/**
 * What the Node SDK registers (`AsyncLocalStorageContextManager`), in a few lines: this package
 * does not depend on `@opentelemetry/context-async-hooks`. A test double.
 */
class StorageContextManager implements ContextManager {
  readonly #storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.#storage.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#storage.disable();
    return this;
  }
}

const fragile = defineActor<number, undefined>({
  init: () => 0,
  handleInfo: () => {
    throw new Error('boom');
  },
});

describe('observability examples', () => {
  it('wires an OTLP backend and instruments a node', async () => {
    const backend = await collector();
    const otlpEndpoint = backend.url;
    const node = createNode({ name: 'planner-node', clock: new TestClock() });
    // #region otel-wiring
    // In the application's setup, once: an SDK, its exporter, and the node instrumented.
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'planner' }),
      spanProcessors: [
        new BatchSpanProcessor(new OTLPTraceExporter({ url: `${otlpEndpoint}/v1/traces` })),
      ],
    });
    trace.setGlobalTracerProvider(provider);
    const stopTracing = instrumentNode(node); // spans go to the global provider
    // #endregion otel-wiring
    await startSupervisor(node, {
      children: [{ id: 'worker', start: { behaviour: fragile, options: { name: 'worker' } } }],
    });
    node.send('worker', 'crash');
    await (node.clock as TestClock).settle();
    stopTracing();
    await provider.forceFlush();
    await provider.shutdown();
    expect(backend.names).toContain('actor.crash');
    expect(backend.names).toContain('supervisor.restart worker');
  });

  it('serves the node metrics to Prometheus', async () => {
    const node = createNode({ name: 'metrics-node', clock: new TestClock() });
    // #region otel-metrics-endpoint
    // A reader that collects when scraped (every MetricReader of the SDK can serve).
    class ScrapeReader extends MetricReader {
      protected override async onForceFlush(): Promise<void> {}
      protected override async onShutdown(): Promise<void> {}
    }
    const reader = new ScrapeReader();
    const meters = new MeterProvider({ readers: [reader] });
    const stop = instrumentNode(node, { meter: meters.getMeter('planner') });
    const endpoint = await serveMetrics({ reader, port: 0 }); // 127.0.0.1 unless told otherwise
    // endpoint.url: http://127.0.0.1:<port>/metrics
    // #endregion otel-metrics-endpoint
    cleanup.push(() => endpoint.close());
    cleanup.push(async () => stop());
    const body = await new Promise<string>((resolve, reject) => {
      request(endpoint.url, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
        });
        res.on('end', () => resolve(text));
      })
        .on('error', reject)
        .end();
    });
    expect(body).toContain('# TYPE warden_node_processes gauge');
  });

  it('follows a request from one node to the agent task it asks for on another', async () => {
    context.setGlobalContextManager(new StorageContextManager());
    cleanup.push(async () => context.disable());
    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    const net = createInMemoryNetwork();
    const caller = createNode({ name: 'api', transport: net.transport() });
    const worker = createNode({ name: 'worker', transport: net.transport() });
    cleanup.push(async () => {
      await caller.stop();
      await worker.stop();
    });
    const planner = worker.spawn(
      defineAgent({
        name: 'planner',
        system: 'You plan releases.',
        model: createScriptedModel({ clock: worker.clock, script: { text: 'Ship on Tuesday.' } }),
      }),
    );
    const tracer = trace.getTracer('api');
    // #region otel-propagation
    // On every node: spans from its events, and the trace context carried in its messages.
    instrumentNode(caller);
    instrumentNode(worker);
    // A request handled on the caller node, inside a span of its own:
    const result = await tracer.startActiveSpan('POST /plan', async (span) => {
      try {
        return await runTask(caller, planner, { task: 'Plan the release' });
      } finally {
        span.end();
      }
    });
    // On the worker node, `invoke_agent planner` is a child of `POST /plan`: one trace.
    // #endregion otel-propagation
    expect(result.text).toBe('Ship on Tuesday.');
    const spans = exporter.getFinishedSpans();
    const request = spans.find((s) => s.name === 'POST /plan');
    const task = spans.find((s) => s.name === 'invoke_agent planner');
    expect(task?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
    expect(task?.spanContext().traceId).toBe(request?.spanContext().traceId);
    expect(String(task?.attributes['warden.pid'])).toMatch(/^<worker\./);
  });

  it('traces model calls outside any agent', async () => {
    const exporterless = new BasicTracerProvider();
    const tracer = exporterless.getTracer('example');
    const client = createScriptedModel({
      clock: new TestClock(),
      provider: 'anthropic',
      model: 'claude-test',
      script: { text: 'hi' },
    });
    // #region otel-trace-model
    const model = traceModel(client, tracer); // a `chat claude-test` client span per call
    const response = await model.generate({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
    });
    // #endregion otel-trace-model
    expect(response.finishReason).toBe('stop');
  });
});
