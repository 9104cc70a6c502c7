import {
  createNoopMeter,
  type Meter,
  metrics,
  ProxyTracerProvider,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { PriceTable } from '@warden/agents';
import { formatReason, isAbnormal, type Node, type NodeEvent } from '@warden/core';
import { contextPropagation } from './context-propagation.js';
import { AgentTraces } from './internal/agent-traces.js';
import { NodeMetrics } from './internal/node-metrics.js';
import { type EpochOf, offsetEpoch } from './internal/span-clock.js';
import { SupervisionTraces } from './internal/supervision-traces.js';
import { checks } from './option-checks.js';

/** The name spans and metrics are recorded under (the instrumentation scope). */
export const INSTRUMENTATION_SCOPE = '@warden/otel';

export interface InstrumentOptions {
  /** Where spans go. Default: the global tracer provider's (a no-op until an SDK registers). */
  readonly tracer?: Tracer;
  /** Where metrics go. Default: the global meter provider's. */
  readonly meter?: Meter;
  /** `false` records no spans. Default true. */
  readonly traces?: boolean;
  /** `false` records no metrics. Default true. */
  readonly metrics?: boolean;
  /**
   * `false` leaves the node's context propagation alone. Default: while it records spans, it
   * installs `contextPropagation()` on the node unless one is installed already, so a trace
   * follows a call from one node to another; it removes it when it stops.
   */
  readonly propagation?: boolean;
  /** Prices per model, for the `warden.agent.cost` counter (none: no cost is counted). */
  readonly prices?: PriceTable;
  /**
   * Turns a time of the node's clock into epoch milliseconds. Default: the offset between the
   * clock and `Date.now()` at install, which keeps every duration as the node measured it.
   */
  readonly epochOf?: EpochOf;
}

/**
 * Traces and metrics for a node, read from its event stream (`node.inspect`): agent tasks,
 * steps and tool calls as GenAI spans; crashes, restarts, escalations, breaker outages and
 * ladder moves as spans placed in the trace of their cause; counters and gauges beside them.
 * While it records spans it also carries the trace context in the node's messages
 * (`contextPropagation`), so a task asked for by a caller with a span is a child of that span,
 * on this node or another. Returns the function that stops it (open spans end there); it also
 * stops with its node.
 *
 * Nothing is sent anywhere by this package: spans and metrics go to whatever OpenTelemetry SDK
 * the application registers. Given no `tracer` and no `meter`, and with no SDK registered, it
 * installs nothing at all (not even an observer, so the node builds no event for it): set the
 * SDK up first.
 */
export function instrumentNode(node: Node, options: InstrumentOptions = {}): () => void {
  checks.record('options', options);
  if (typeof node?.inspect !== 'function') {
    throw checks.invalid('node', node, 'a Node (with inspect)');
  }
  let tracing = options.traces === undefined ? true : checks.boolean('traces', options.traces);
  let metering = options.metrics === undefined ? true : checks.boolean('metrics', options.metrics);
  const propagating =
    options.propagation === undefined ? true : checks.boolean('propagation', options.propagation);
  const epochOf =
    checks.optionalFn<EpochOf>('epochOf', options.epochOf) ??
    offsetEpoch(node.clock.now(), Date.now());
  if (options.prices !== undefined) checks.record('prices', options.prices);
  const tracer = options.tracer ?? trace.getTracer(INSTRUMENTATION_SCOPE);
  const meter = options.meter ?? metrics.getMeter(INSTRUMENTATION_SCOPE);
  // Nothing would be recorded: not even an observer, so the node builds no event for it.
  if (tracing && options.tracer === undefined && !globalTracerSet()) tracing = false;
  if (metering && options.meter === undefined && isNoopMeter(meter)) metering = false;
  if (!tracing && !metering) return () => {};

  let supervision: SupervisionTraces | undefined;
  let agents: AgentTraces | undefined;
  if (tracing) {
    agents = new AgentTraces(tracer, epochOf, (pid) => supervision?.restartOf(pid));
    const a = agents;
    supervision = new SupervisionTraces(tracer, epochOf, {
      contextOf: (pid, time) => a.contextOf(pid, time),
    });
  }
  const counters = metering ? new NodeMetrics(meter, node, options.prices) : undefined;

  const observe = (event: NodeEvent): void => {
    counters?.onEvent(event);
    if (agents === undefined || supervision === undefined) return;
    switch (event.type) {
      case 'published': {
        const published = event.event as { type: string } & Record<string, unknown>;
        if (!supervision.onPublished(event.pid, published, event.time)) {
          agents.onPublished(event.pid, published, event.time);
        }
        return;
      }
      case 'actor.spawned':
        agents.onSpawned(event.pid, event.parent);
        return;
      case 'actor.crashed':
        supervision.onCrash(event);
        agents.onCrash(event.pid, event.reason, event.time);
        return;
      case 'actor.exited': {
        const abnormal = isAbnormal(event.reason);
        const reason = abnormal ? formatReason(event.reason) : undefined;
        const task = agents.onExit(event.pid, reason, event.time);
        if (abnormal) supervision.onAbnormalExit(event.pid, task);
        return;
      }
      case 'supervisor.child_exited':
      case 'supervisor.restart':
      case 'supervisor.child_started':
      case 'supervisor.start_failed':
      case 'supervisor.escalated':
      case 'supervisor.meter_exceeded':
        supervision.onSupervisor(event);
        return;
      default:
        return;
    }
  };
  const unsubscribe = node.inspect(observe);
  const propagation =
    tracing && propagating && node.contextPropagation === undefined
      ? contextPropagation()
      : undefined;
  if (propagation !== undefined) node.setContextPropagation(propagation);
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    node.signal.removeEventListener('abort', stop);
    unsubscribe();
    if (propagation !== undefined && node.contextPropagation === propagation) {
      node.setContextPropagation(undefined);
    }
    const now = node.clock.now();
    agents?.stop(now);
    supervision?.stop(now);
    counters?.stop();
  };
  // It stops with its node: the spans still open (a breaker outage) end, the gauges go.
  if (node.signal.aborted) stop();
  else node.signal.addEventListener('abort', stop, { once: true });
  return stop;
}

/** Whether an SDK is behind the global tracer provider (the API's proxy has a delegate). */
function globalTracerSet(): boolean {
  const provider = trace.getTracerProvider();
  return (
    !(provider instanceof ProxyTracerProvider) ||
    provider.getDelegateTracer(INSTRUMENTATION_SCOPE) !== undefined
  );
}

/**
 * Whether a meter is the API's no-op. The metrics API has no proxy: a meter taken before an SDK
 * registers stays a no-op, which is why `instrumentNode` is called after the SDK is set up.
 */
function isNoopMeter(meter: Meter): boolean {
  return meter.constructor === createNoopMeter().constructor;
}
