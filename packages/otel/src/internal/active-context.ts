import { type Context, context, trace } from '@opentelemetry/api';
/**
 * The active context when it holds a span: what the published event's handler runs in (the
 * observer is called inside it), which context propagation set from what its message carried.
 */
export function activeSpanContext(): Context | undefined {
  const active = context.active();
  return trace.getSpanContext(active) === undefined ? undefined : active;
}
