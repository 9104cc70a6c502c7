import type { Clock } from '../clock.js';
import { invalidArgument } from '../errors.js';
import type { NodeEvent } from '../events.js';
import type { Pid } from '../pid.js';
import { type ContextPropagation, checkTraceContext, type TraceContext } from '../trace-context.js';
import { TracedMessage } from './traced-message.js';

/** What of the node these functions use (the node's core; kept narrow to keep them apart). */
interface Host {
  readonly onInternalError: (error: unknown) => void;
  readonly propagation: ContextPropagation | undefined;
  capture: boolean;
  traced: boolean;
  readonly events: { wants(type: 'trace_context.dropped'): boolean };
  readonly clock: Clock;
  emit(event: NodeEvent): void;
}

/**
 * The node's side of context propagation: what a send captures, how a handler enters what its
 * message carried, and the check of what a peer sent. The hook is user code: whatever it throws
 * is reported through the node's `onError` and the message goes on without a context.
 */

/**
 * The sender's context (`current()`), or undefined; a hook that throws or answers junk is
 * reported. Not asked while `capture` is off: during a scheduler turn, outside the handler of a
 * message that carried a context, the turn runs outside any context (see `NodeCore.capture`).
 */
export function captureContext(core: Host): TraceContext | undefined {
  const propagation = core.propagation;
  if (!core.capture || propagation === undefined) return undefined;
  let context: TraceContext | undefined;
  try {
    context = propagation.current();
  } catch (error) {
    core.onInternalError(error);
    return undefined;
  }
  if (context === undefined || context === null) return undefined;
  if (typeof context.traceparent !== 'string') {
    core.onInternalError(
      invalidArgument('current()', context, 'a TraceContext ({ traceparent, tracestate? })'),
    );
    return undefined;
  }
  return context;
}

/** A mailbox entry for `message` sent with `context`. */
export function traceMessage(core: Host, message: unknown, context: TraceContext): TracedMessage {
  core.traced = true;
  return new TracedMessage(message, context);
}

/**
 * Runs `fn` inside `context` (outside any when undefined), exactly once: a hook that throws
 * before running it, or never runs it, is reported and `fn` runs without a context. What `fn`
 * itself throws goes on up.
 */
export function runIn(
  core: Host,
  propagation: ContextPropagation,
  context: TraceContext | undefined,
  fn: () => void,
): void {
  let entered = false;
  try {
    propagation.run(context, () => {
      if (entered) return;
      entered = true;
      fn();
    });
  } catch (error) {
    if (entered) throw error;
    core.onInternalError(error);
  }
  if (!entered) fn();
}

/**
 * Runs the handler of a message that carried `context` inside it, asking the hook for the
 * context of what the handler sends (a span it starts is the parent of those).
 */
export function runTraced(
  core: Host,
  propagation: ContextPropagation,
  context: TraceContext,
  fn: () => void,
): void {
  const before = core.capture;
  core.capture = true;
  try {
    runIn(core, propagation, context, fn);
  } finally {
    core.capture = before;
  }
}

/**
 * The trace context that came with an envelope from another node, checked as data: one that is
 * malformed or too large is dropped (the message is delivered without it, or without its
 * `tracestate`) and a `trace_context.dropped` event says so.
 */
export function inboundContext(core: Host, to: Pid, raw: unknown): TraceContext | undefined {
  const { context, dropped } = checkTraceContext(raw);
  if (dropped !== undefined && core.events.wants('trace_context.dropped')) {
    core.emit({ type: 'trace_context.dropped', time: core.clock.now(), to, reason: dropped });
  }
  return context;
}
