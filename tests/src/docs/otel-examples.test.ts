// The code blocks of docs/observability.md about traces and metrics, each a region of this file,
// run as tests here; docs-examples.test.ts holds the docs to these regions.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createScriptedModel } from '@warden/agents/testing';
import { createNode, defineActor, startSupervisor } from '@warden/core';
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
