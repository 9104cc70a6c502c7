import {
  type Context,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type SpanContext,
  type TextMapPropagator,
  trace,
} from '@opentelemetry/api';
import type { ContextPropagation, TraceContext } from '@warden/core';
import { W3CTraceContext } from './internal/w3c-trace-context.js';
import { checks } from './option-checks.js';

export interface ContextPropagationOptions {
  /**
   * Writes and reads the envelope's `traceparent` and `tracestate` (no other field travels).
   * Default: a W3C Trace Context propagator of this package; the SDK's
   * `W3CTraceContextPropagator`, or the API's global `propagation` when it is one, work too.
   */
  readonly propagator?: TextMapPropagator;
}

/**
 * The OpenTelemetry side of a node's context propagation (`node.setContextPropagation`, which
 * `instrumentNode` calls): a send, cast or call takes the active OpenTelemetry context's span
 * context along as W3C `traceparent`/`tracestate`, and the receiving handler runs with it as
 * the active context (`context.with`), so the spans made there, by `instrumentNode` or your own
 * code, are its children, on this node or another.
 *
 * It needs a context manager (`AsyncLocalStorageContextManager`, which the Node SDK registers):
 * without one there is no active context to carry. Both functions run on every message; the
 * last context written and the last one read are kept, so a flood within one span costs a
 * comparison each.
 */
export function contextPropagation(options: ContextPropagationOptions = {}): ContextPropagation {
  checks.record('options', options);
  const propagator = options.propagator ?? new W3CTraceContext();
  if (typeof propagator?.inject !== 'function' || typeof propagator?.extract !== 'function') {
    throw checks.invalid('propagator', propagator, 'a TextMapPropagator');
  }
  let lastSpan: SpanContext | undefined;
  let lastOut: TraceContext | undefined;
  let lastIn: TraceContext | undefined;
  let lastContext: Context = ROOT_CONTEXT;
  return {
    current(): TraceContext | undefined {
      const active = context.active();
      const span = trace.getSpanContext(active);
      if (span === undefined) return undefined;
      if (span !== lastSpan) {
        const carrier: { traceparent?: unknown; tracestate?: unknown } = {};
        propagator.inject(active, carrier, defaultTextMapSetter);
        const { traceparent, tracestate } = carrier;
        lastSpan = span;
        lastOut =
          typeof traceparent !== 'string'
            ? undefined
            : typeof tracestate === 'string' && tracestate !== ''
              ? { traceparent, tracestate }
              : { traceparent };
      }
      return lastOut;
    },
    run<T>(carried: TraceContext | undefined, fn: () => T): T {
      if (carried === undefined) return context.with(ROOT_CONTEXT, fn);
      if (
        carried !== lastIn &&
        (carried.traceparent !== lastIn?.traceparent || carried.tracestate !== lastIn?.tracestate)
      ) {
        lastContext = propagator.extract(ROOT_CONTEXT, carried, defaultTextMapGetter);
        lastIn = carried;
      }
      return context.with(lastContext, fn);
    },
  };
}
