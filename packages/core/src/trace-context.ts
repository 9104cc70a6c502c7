/**
 * The W3C Trace Context of a message (https://www.w3.org/TR/trace-context/): the `traceparent`
 * and `tracestate` strings a tracing library writes for the code that sent it. The core carries
 * them and never reads them: it knows no tracing library.
 */
export interface TraceContext {
  readonly traceparent: string;
  readonly tracestate?: string;
}

/**
 * How a node carries the caller's context in its messages (`node.setContextPropagation`):
 * `current` is read when a process (or the node) sends, casts or calls, and the receiving
 * process's handler runs inside `run` of what the message carried. A scheduler turn, and the
 * handling of a message that carried nothing, run inside `run(undefined, ...)`: outside any
 * context, so a context never leaks from one message to the next.
 *
 * `@warden/otel` provides one for OpenTelemetry. Both functions are on the hot path of every
 * message while installed; with none installed a send costs one check more.
 */
export interface ContextPropagation {
  /** The context of the code running now, or undefined when there is none. */
  current(): TraceContext | undefined;
  /** Runs `fn` inside `context`, or outside any context when it is undefined. */
  run<T>(context: TraceContext | undefined, fn: () => T): T;
}

/**
 * Size bounds of what a peer may send. A `traceparent` of version 00 is 55 characters; later
 * versions may append fields. 512 characters of `tracestate` is what the W3C recommendation asks
 * every vendor to propagate.
 */
export const TRACE_CONTEXT_LIMITS = Object.freeze({ traceparent: 256, tracestate: 512 });

/**
 * Why a context that came from another node was dropped (the message is delivered without it,
 * or without its `tracestate`): a `trace_context.dropped` event on the node's stream says so.
 */
export type TraceContextDrop =
  | 'malformed-context'
  | 'malformed-traceparent'
  | 'oversized-traceparent'
  | 'malformed-tracestate'
  | 'oversized-tracestate';

/** A checked context, and what was dropped of it (a bad `tracestate` alone drops only itself). */
export interface CheckedTraceContext {
  readonly context: TraceContext | undefined;
  readonly dropped: TraceContextDrop | undefined;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-[\x21-\x7e]*)?$/;
const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';
/** Printable ASCII, as the W3C grammar of `tracestate` list members is. */
const TRACESTATE = /^[\x20-\x7e]*$/;

/**
 * Checks a context as data: a plain object whose `traceparent` is a W3C traceparent (version
 * not `ff`, a version 00 exactly 55 characters, trace and parent ids not all zeros) and whose
 * `tracestate`, if any, is printable ASCII, each within `TRACE_CONTEXT_LIMITS`. Returns a fresh
 * object (nothing of the peer's value is kept) and what was dropped. Never throws.
 */
export function checkTraceContext(value: unknown): CheckedTraceContext {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { context: undefined, dropped: 'malformed-context' };
  }
  let traceparent: unknown;
  let tracestate: unknown;
  try {
    ({ traceparent, tracestate } = value as { traceparent?: unknown; tracestate?: unknown });
  } catch {
    return { context: undefined, dropped: 'malformed-context' };
  }
  if (typeof traceparent !== 'string') {
    return { context: undefined, dropped: 'malformed-traceparent' };
  }
  if (traceparent.length > TRACE_CONTEXT_LIMITS.traceparent) {
    return { context: undefined, dropped: 'oversized-traceparent' };
  }
  const match = TRACEPARENT.exec(traceparent);
  if (
    match === null ||
    match[1] === 'ff' ||
    (match[1] === '00' && match[4] !== undefined) ||
    match[2] === ZERO_TRACE ||
    match[3] === ZERO_SPAN
  ) {
    return { context: undefined, dropped: 'malformed-traceparent' };
  }
  if (tracestate === undefined || tracestate === '') {
    return { context: { traceparent }, dropped: undefined };
  }
  if (typeof tracestate !== 'string') {
    return { context: { traceparent }, dropped: 'malformed-tracestate' };
  }
  if (tracestate.length > TRACE_CONTEXT_LIMITS.tracestate) {
    return { context: { traceparent }, dropped: 'oversized-tracestate' };
  }
  if (!TRACESTATE.test(tracestate)) {
    return { context: { traceparent }, dropped: 'malformed-tracestate' };
  }
  return { context: { traceparent, tracestate }, dropped: undefined };
}
