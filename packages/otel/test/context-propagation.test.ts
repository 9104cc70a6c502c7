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
import { type ContextPropagation, createNode, type TraceContext } from '@warden/core';
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
      within({ ...SPAN, traceFlags: TraceFlags.NONE, traceState: undefined }, () =>
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
  const tracer = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())],
  }).getTracer('test');

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
