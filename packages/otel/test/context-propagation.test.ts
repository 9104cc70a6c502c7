import {
  context,
  createTraceState,
  ROOT_CONTEXT,
  type SpanContext,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  type ContextPropagation,
  createNode,
  defineActor,
  startSupervisor,
  type TraceContext,
} from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextPropagation, instrumentNode } from '../src/index.js';
import { parseTraceparent } from '../src/internal/w3c-trace-context.js';

const manager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(manager.enable());
});
afterAll(() => {
  context.disable();
});

const SPAN: SpanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
  traceState: createTraceState('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE'),
};

/** Runs `fn` with `span` as the active span context. */
function within<T>(span: SpanContext, fn: () => T): T {
  return context.with(trace.setSpanContext(ROOT_CONTEXT, span), fn);
}

describe('contextPropagation', () => {
  it('writes the active span context as W3C traceparent and tracestate', () => {
    const propagation = contextPropagation();
    expect(within(SPAN, () => propagation.current())).toEqual({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    });
    // Not sampled: the decision travels with it, so the other node does not sample either.
    expect(
      within({ traceId: SPAN.traceId, spanId: SPAN.spanId, traceFlags: TraceFlags.NONE }, () =>
        propagation.current(),
      ),
    ).toEqual({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00' });
  });

  it('has nothing to carry outside a span, or for an invalid span context', () => {
    const propagation = contextPropagation();
    expect(propagation.current()).toBeUndefined();
    expect(within({ ...SPAN, traceId: '0'.repeat(32) }, () => propagation.current())).toBe(
      undefined,
    );
  });

  it('runs a handler with the carried span context as its active, remote parent', () => {
    const propagation = contextPropagation();
    const carried = within(SPAN, () => propagation.current()) as TraceContext;
    const seen = propagation.run(carried, () => trace.getSpanContext(context.active()));
    expect(seen).toMatchObject({
      traceId: SPAN.traceId,
      spanId: SPAN.spanId,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(seen?.traceState?.serialize()).toBe(SPAN.traceState?.serialize());
    // The same context again (a flood within one span) is read once: the very same context.
    const again = propagation.run({ ...carried }, () => context.active());
    expect(propagation.run(carried, () => context.active())).toBe(again);
  });

  it('carries an unsampled decision: a span started where it arrives is not recorded', () => {
    const propagation = contextPropagation();
    const tracer = new BasicTracerProvider().getTracer('test'); // the default: parent-based
    const carried = within({ ...SPAN, traceFlags: TraceFlags.NONE }, () =>
      propagation.current(),
    ) as TraceContext;
    expect(propagation.run(carried, () => tracer.startSpan('there').isRecording())).toBe(false);
    const sampled = within(SPAN, () => propagation.current()) as TraceContext;
    expect(propagation.run(sampled, () => tracer.startSpan('there').isRecording())).toBe(true);
  });

  it('runs outside any context when nothing was carried, even inside a span', () => {
    const propagation = contextPropagation();
    const seen = within(SPAN, () =>
      propagation.run(undefined, () => trace.getSpanContext(context.active())),
    );
    expect(seen).toBeUndefined();
  });

  it('ignores a traceparent the recommendation says to ignore', () => {
    for (const bad of [
      `ff-${SPAN.traceId}-${SPAN.spanId}-01`,
      `00-${SPAN.traceId}-${SPAN.spanId}-01-more`,
      `00-${'0'.repeat(32)}-${SPAN.spanId}-01`,
      `00-${SPAN.traceId}-${'0'.repeat(16)}-01`,
      `00-${SPAN.traceId.toUpperCase()}-${SPAN.spanId}-01`,
      'garbage',
    ]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
    expect(parseTraceparent(`cc-${SPAN.traceId}-${SPAN.spanId}-01-later-fields`)).toMatchObject({
      traceId: SPAN.traceId,
    });
    const propagation = contextPropagation();
    expect(
      propagation.run({ traceparent: 'garbage' }, () => trace.getSpanContext(context.active())),
    ).toBeUndefined();
  });

  it('uses the propagator it is given', () => {
    const propagation = contextPropagation({
      propagator: {
        inject: (_context, carrier, setter) => setter.set(carrier, 'traceparent', 'given'),
        extract: (ctx) => ctx,
        fields: () => ['traceparent'],
      },
    });
    expect(within(SPAN, () => propagation.current())).toEqual({ traceparent: 'given' });
    expect(() => contextPropagation({ propagator: {} as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', field: 'propagator' }),
    );
  });
});

describe('instrumentNode and the node context propagation', () => {
  const exporter = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  }).getTracer('test');

  it('places the crash of a process that is no agent under the span of the message it crashed on, and its restart under the crash', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'n', clock });
    const stop = instrumentNode(node, { tracer, metrics: false });
    await startSupervisor(node, {
      children: [
        {
          id: 'worker',
          start: {
            behaviour: defineActor<null>({
              init: () => null,
              handleInfo: (message) => {
                throw new Error(`cannot handle ${String(message)}`);
              },
            }),
            options: { name: 'worker' },
          },
        },
      ],
    });
    await clock.settle();
    exporter.reset();
    tracer.startActiveSpan('request', (span) => {
      node.send('worker', 'poison');
      span.end();
    });
    await clock.settle();
    stop();
    const spans = exporter.getFinishedSpans();
    const request = spans.find((s) => s.name === 'request');
    const crash = spans.find((s) => s.name === 'actor.crash');
    const restart = spans.find((s) => s.name === 'supervisor.restart worker');
    expect(crash?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
    expect(restart?.parentSpanContext?.spanId).toBe(crash?.spanContext().spanId);
    expect(restart?.spanContext().traceId).toBe(request?.spanContext().traceId);
  });

  it('installs it while it records spans and removes it when it stops', () => {
    const node = createNode({ name: 'n', clock: new TestClock() });
    const stop = instrumentNode(node, { tracer, metrics: false });
    expect(node.contextPropagation).toBeDefined();
    stop();
    expect(node.contextPropagation).toBeUndefined();
  });

  it('leaves one already installed alone, and installs none when told not to or with no SDK', () => {
    const node = createNode({ name: 'n', clock: new TestClock() });
    const mine: ContextPropagation = { current: () => undefined, run: (_c, fn) => fn() };
    node.setContextPropagation(mine);
    instrumentNode(node, { tracer, metrics: false })();
    expect(node.contextPropagation).toBe(mine);
    node.setContextPropagation(undefined);
    const stop = instrumentNode(node, { tracer, metrics: false, propagation: false });
    expect(node.contextPropagation).toBeUndefined();
    stop();
    instrumentNode(node); // no tracer, no meter, no SDK: nothing at all
    expect(node.contextPropagation).toBeUndefined();
    expect(() => instrumentNode(node, { tracer, propagation: 'yes' as never })).toThrow(
      expect.objectContaining({ field: 'propagation' }),
    );
  });
});
