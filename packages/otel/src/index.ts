export {
  INSTRUMENTATION_SCOPE,
  type InstrumentOptions,
  instrumentNode,
} from './instrument-node.js';
export { BREAKER_STATE_VALUES } from './internal/node-metrics.js';
export type { EpochOf } from './internal/span-clock.js';
export { traceModel } from './trace-model.js';
