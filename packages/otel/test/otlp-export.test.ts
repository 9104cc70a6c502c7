import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { defineActor, startSupervisor } from '@warden/core';
import { afterEach, describe, expect, it } from 'vitest';
import { instrumentNode } from '../src/index.js';
import { spanWorld } from './span-world.js';

interface Received {
  readonly path: string;
  readonly contentType: string;
  readonly body: unknown;
}

/** An OTLP/HTTP collector stand-in on 127.0.0.1: it records each JSON export and accepts it. */
async function stubCollector(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({
        path: request.url ?? '',
        contentType: String(request.headers['content-type']),
        body: JSON.parse(text) as unknown,
      });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/v1/traces`, received };
}

interface OtlpSpan {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly links?: readonly { readonly spanId: string }[];
}

function exportedSpans(received: readonly Received[]): OtlpSpan[] {
  return received.flatMap((r) =>
    (
      r.body as {
        resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
      }
    ).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)),
  );
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) =>
    server === undefined ? resolve() : server.close(() => resolve()),
  );
  server = undefined;
});

const fragile = defineActor<number, undefined>({
  init: () => 0,
  handleInfo: () => {
    throw new Error('boom');
  },
});

describe('OTLP/HTTP export', () => {
  it('delivers the crash and restart spans, parent and link included, to an OTLP collector', async () => {
    const collector = await stubCollector();
    server = collector.server;
    const { clock, node } = spanWorld();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'warden-test' }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: collector.url }))],
    });
    const stop = instrumentNode(node, { tracer: provider.getTracer('test'), metrics: false });
    await startSupervisor(node, {
      children: [{ id: 'worker', start: { behaviour: fragile, options: { name: 'worker' } } }],
    });
    node.send('worker', 'poison');
    await clock.settle();
    stop();
    await provider.forceFlush();
    await provider.shutdown();

    expect(collector.received.length).toBeGreaterThan(0);
    expect(collector.received[0]?.path).toBe('/v1/traces');
    expect(collector.received[0]?.contentType).toContain('application/json');
    const first = collector.received[0] as Received;
    const resource = (
      first.body as {
        resourceSpans: { resource: { attributes: { key: string; value: unknown }[] } }[];
      }
    ).resourceSpans[0]?.resource.attributes;
    expect(resource).toContainEqual({ key: 'service.name', value: { stringValue: 'warden-test' } });
    const spans = exportedSpans(collector.received);
    const crash = spans.find((s) => s.name === 'actor.crash');
    const restart = spans.find((s) => s.name === 'supervisor.restart worker');
    expect(crash).toBeDefined();
    expect(restart?.traceId).toBe(crash?.traceId);
    expect(restart?.parentSpanId).toBe(crash?.spanId);
    expect(restart?.links?.map((l) => l.spanId)).toEqual([crash?.spanId]);
  });
});
