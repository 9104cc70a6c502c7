export { type ContextPropagationOptions, contextPropagation } from './context-propagation.js';
export {
  INSTRUMENTATION_SCOPE,
  type InstrumentOptions,
  instrumentNode,
} from './instrument-node.js';
export { BREAKER_STATE_VALUES } from './internal/node-metrics.js';
export type { EpochOf } from './internal/span-clock.js';
export {
  METRICS_ENDPOINT_DEFAULTS,
  type MetricsEndpoint,
  type MetricsEndpointOptions,
  type MetricsSource,
  serveMetrics,
} from './metrics-endpoint.js';
export {
  type CollectedHistogram,
  type CollectedMetric,
  type CollectedMetrics,
  toPrometheusText,
} from './prometheus-text.js';
export { traceModel } from './trace-model.js';
