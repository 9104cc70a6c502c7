export { type FromMachineOptions, fromMachine, type MachineProcess } from './actor/from-machine.js';
export { xstateClock } from './actor/machine-clock.js';
export {
  inspectMachines,
  type MachineInspectionEvent,
  type MachineObserver,
} from './actor/machine-inspection.js';
export {
  getSnapshot,
  isSnapshotRequest,
  type MachineSnapshotData,
  SNAPSHOT_REQUEST,
  type SnapshotRequest,
  sendEvent,
} from './actor/machine-requests.js';
export { breakerActor } from './breaker/breaker-actor.js';
export {
  type BreakerCaller,
  type BreakerClientOptions,
  breakerStats,
  callThroughBreaker,
  isolateBreaker,
  resetBreaker,
  saveBreakerActor,
} from './breaker/breaker-client.js';
export type {
  BreakerEvent,
  BreakerEventType,
  StateChangeListener,
} from './breaker/breaker-events.js';
export {
  type BreakerMachineContext,
  type BreakerMachineInput,
  breakerMachine,
} from './breaker/breaker-machine.js';
export {
  type BreakerOptions,
  type BreakerPolicy,
  type BreakerPolicyOptions,
  breakerPolicy,
  DEFAULT_BREAKER,
  type FailurePolicy,
  type OpenTimeout,
  validateBreakerOptions,
} from './breaker/breaker-options.js';
export {
  acquirePermit,
  applyInput,
  type BreakerInput,
  isolate,
  recordFailure,
  recordSuccess,
  releasePermit,
  reset,
  retryDue,
  targetOf,
} from './breaker/breaker-policy.js';
export type { BreakerGrant, BreakerMessage } from './breaker/breaker-protocol.js';
export type { BreakerSnapshot } from './breaker/breaker-snapshot.js';
export {
  type BreakerState,
  type BreakerStateName,
  cloneBreakerState,
  initialBreakerState,
} from './breaker/breaker-state.js';
export type { BreakerStats } from './breaker/breaker-stats.js';
export { CircuitBreaker, type ExecuteOptions } from './breaker/circuit-breaker.js';
export type { CountWindow, FailureWindow, TimeWindow } from './breaker/failure-window.js';
export type { CallOutcome } from './breaker/guarded-call.js';
export { openDelay } from './breaker/open-backoff.js';
export {
  invalidOption,
  isMachinesError,
  MACHINES_ERROR_CODES,
  MachinesError,
  type MachinesErrorCode,
  type MachinesErrorData,
} from './errors.js';
export { AgentLifecycle } from './lifecycle/agent-lifecycle.js';
export {
  type AgentLifecycleContext,
  type AgentLifecycleEvent,
  type AgentLifecycleInput,
  type AgentLifecycleState,
  agentLifecycleMachine,
  DEFAULT_AGENT_LIFECYCLE,
} from './lifecycle/agent-lifecycle-machine.js';
export { toMermaid } from './lifecycle/to-mermaid.js';
