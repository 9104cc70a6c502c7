export { DashboardModel, type DashboardModelLimits, type ViewProbe } from './dashboard-model.js';
export {
  DASHBOARD_DEFAULTS,
  type DashboardOptions,
  isLoopback,
} from './dashboard-options.js';
export { type DashboardPeer, type HttpPeerOptions, httpPeer } from './dashboard-peer.js';
export {
  type AgentView,
  type ApiErrorBody,
  type ApprovalView,
  type BreakerStateName,
  type BreakerView,
  type DashboardSnapshot,
  type DeadLetterView,
  type JournalView,
  type LadderView,
  LIFECYCLE_STATES,
  type LifecycleState,
  type NodeView,
  type ProcessKind,
  type ProcessView,
  type QueueView,
  type SeriesView,
  type Totals,
  type TraceItem,
  type TraceView,
} from './dashboard-snapshot.js';
export { type DashboardServer, serveDashboard } from './serve-dashboard.js';
export { DEFAULT_UI_DIR } from './ui-dir.js';
