import { metrics, trace } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { defineActor, startSupervisor } from '@warden/core';
import { afterEach, describe, expect, it } from 'vitest';
import { instrumentNode } from '../src/index.js';
import { spanWorld } from './span-world.js';

const fragile = defineActor<number, undefined>({
  init: () => 0,
  handleInfo: () => {
    throw new Error('boom');
  },
});

afterEach(() => {
  trace.disable();
  metrics.disable();
});

describe('instrumentNode without an SDK', () => {
  it('installs nothing when no SDK is registered and no tracer or meter is given', () => {
    const { node } = spanWorld();
    const stop = instrumentNode(node);
    expect(node.observed).toBe(false);
    stop();
  });

  it('records to the global tracer provider once an SDK is registered there', async () => {
    const { clock, node } = spanWorld();
    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    const stop = instrumentNode(node);
    expect(node.observed).toBe(true);
    await startSupervisor(node, {
      children: [{ id: 'worker', start: { behaviour: fragile, options: { name: 'worker' } } }],
    });
    node.send('worker', 'crash');
    await clock.settle();
    stop();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toContain('supervisor.restart worker');
  });

  it('observes for metrics alone when only a meter provider is registered', () => {
    const { node } = spanWorld();
    metrics.setGlobalMeterProvider(new MeterProvider());
    const stop = instrumentNode(node);
    expect(node.observed).toBe(true);
    stop();
    expect(node.observed).toBe(false);
  });
});
