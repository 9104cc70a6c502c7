import {
  type Context,
  createTraceState,
  isSpanContextValid,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * The W3C Trace Context propagator (https://www.w3.org/TR/trace-context/): `traceparent` and
 * `tracestate`, the two fields a warden envelope carries. The SDK's `W3CTraceContextPropagator`
 * does the same; it lives in `@opentelemetry/core`, which `@warden/otel` does not depend on.
 */
export class W3CTraceContext implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const span = trace.getSpanContext(context);
    if (span === undefined || !isSpanContextValid(span)) return;
    setter.set(carrier, 'traceparent', formatTraceparent(span));
    const state = span.traceState?.serialize();
    if (state !== undefined && state !== '') setter.set(carrier, 'tracestate', state);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const span = parseTraceparent(first(getter.get(carrier, 'traceparent')));
    if (span === undefined) return context;
    const state = first(getter.get(carrier, 'tracestate'));
    return trace.setSpanContext(
      context,
      state === undefined || state === '' ? span : { ...span, traceState: createTraceState(state) },
    );
  }

  fields(): string[] {
    return ['traceparent', 'tracestate'];
  }
}

/** `00-<trace id>-<span id>-<flags>`: version 00, the only one written. */
export function formatTraceparent(span: SpanContext): string {
  return `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/**
 * The remote span context a traceparent names, or undefined for one the recommendation says to
 * ignore: not four lower-case hex fields, version `ff`, a version 00 with more fields, all-zero
 * ids. A later version's extra fields are skipped, as it asks.
 */
export function parseTraceparent(value: string | undefined): SpanContext | undefined {
  if (value === undefined) return undefined;
  const match = TRACEPARENT.exec(value);
  if (match === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  const span: SpanContext = {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16),
    isRemote: true,
  };
  return isSpanContextValid(span) ? span : undefined;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
