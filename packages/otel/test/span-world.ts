import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createNode, type Node } from '@warden/core';
import { TestClock } from '@warden/core/testing';

/** A node on a test clock, and a tracer whose spans land in memory. */
export function spanWorld(name = 'otel'): {
  clock: TestClock;
  node: Node;
  exporter: InMemorySpanExporter;
  provider: BasicTracerProvider;
  spans: () => ReadableSpan[];
} {
  const clock = new TestClock();
  const node = createNode({ name, clock });
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { clock, node, exporter, provider, spans: () => exporter.getFinishedSpans() };
}

/** The one finished span called `name` (a test fails loudly on none or several). */
export function only(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one span ${name}, got ${found.length}: ${names(spans).join(', ')}`);
  }
  return found[0] as ReadableSpan;
}

export function names(spans: readonly ReadableSpan[]): string[] {
  return spans.map((s) => s.name);
}

export function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

/** Captures a promise's outcome without awaiting it, so a test can move time first. */
export function outcomeOf<T>(promise: Promise<T>): {
  readonly settled: () => boolean;
  readonly value: () => T;
  readonly error: () => unknown;
} {
  let state: { done: boolean; ok?: boolean; value?: T; error?: unknown } = { done: false };
  promise.then(
    (value) => {
      state = { done: true, ok: true, value };
    },
    (error: unknown) => {
      state = { done: true, ok: false, error };
    },
  );
  return {
    settled: () => state.done,
    value: () => {
      if (!state.done || !state.ok) throw new Error(`not fulfilled: ${String(state.error)}`);
      return state.value as T;
    },
    error: () => {
      if (!state.done || state.ok) throw new Error('not rejected');
      return state.error;
    },
  };
}
