import type { Clock } from '../clock.js';
import { invalidArgument } from '../errors.js';
import type { NodeEvent } from '../events.js';
import type { Pid } from '../pid.js';
import { type ContextPropagation, checkTraceContext, type TraceContext } from '../trace-context.js';
import { TracedMessage } from './traced-message.js';

/** What of the node these functions use (the node's core; kept narrow to keep them apart). */
interface Host {
  readonly onInternalError: (error: unknown) => void;
  traced: boolean;
  readonly events: { readonly active: boolean };
  readonly clock: Clock;
  emit(event: NodeEvent): void;
}

/**
 * The node's side of context propagation: what a send captures, how a handler enters what its
 * message carried, and the check of what a peer sent. The hook is user code: whatever it throws
 * is reported through the node's `onError` and the message goes on without a context.
 */

/** The sender's context (`current()`), or undefined; a hook that throws or answers junk is reported. */
export function captureContext(
  core: Host,
  propagation: ContextPropagation,
): TraceContext | undefined {
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
 * The trace context that came with an envelope from another node, checked as data: one that is
 * malformed or too large is dropped (the message is delivered without it, or without its
 * `tracestate`) and a `trace_context.dropped` event says so.
 */
export function inboundContext(core: Host, to: Pid, raw: unknown): TraceContext | undefined {
  const { context, dropped } = checkTraceContext(raw);
  if (dropped !== undefined && core.events.active) {
    core.emit({ type: 'trace_context.dropped', time: core.clock.now(), to, reason: dropped });
  }
  return context;
}
