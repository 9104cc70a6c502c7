export { IGNORE, type Ignore, NoReply, noreply, Reply, reply, Stop, stop } from './actor-result.js';
export {
  type Backoff,
  type BackoffFields,
  type BackoffOptions,
  backoffCeiling,
  backoffDelay,
  backoffOptions,
  DEFAULT_BACKOFF,
  JITTERS,
  type Jitter,
} from './backoff.js';
export {
  type ActorBehaviour,
  type ActorSpec,
  type Behaviour,
  defineActor,
  isActorBehaviour,
  type ProcessFunction,
} from './behaviour.js';
export { type Clock, systemClock, type TimerHandle } from './clock.js';
export type {
  ActorContext,
  Address,
  CallOptions,
  ReceiveOptions,
  SpawnOptions,
  StartOptions,
  StopOptions,
} from './context.js';
export { createNode } from './create-node.js';
export { type DeadLetter, type DeadLetterReason, DeadLetters } from './dead-letters.js';
export {
  describeValue,
  ERROR_CODES,
  type ErrorCode,
  type ErrorData,
  isWardenError,
  WardenError,
} from './errors.js';
export type {
  CrashPhase,
  CrashReport,
  ExitCause,
  InspectOptions,
  NodeEvent,
  NodeEventType,
  Observer,
  PublishedEvent,
  SupervisorEvent,
} from './events.js';
export {
  type ErrorReason,
  type ExitReason,
  errorReason,
  formatReason,
  isAbnormal,
  isExitReason,
  isShutdown,
  type ShutdownReason,
  sameReason,
  shutdownWith,
} from './exit-reason.js';
export { createInMemoryNetwork, type InMemoryNetwork } from './in-memory-transport.js';
export { DEFAULT_MAILBOX, type MailboxOptions, type OverflowPolicy } from './mailbox.js';
export {
  CallRequest,
  CastMessage,
  DownMessage,
  ExitMessage,
  isCall,
  isCast,
  isDown,
  isExit,
} from './messages.js';
export { MeterReport } from './meter-report.js';
export type { Node, NodeOptions, ProcessInfo } from './node.js';
export {
  type InvalidOption,
  invalidMessage,
  type OptionChecks,
  optionChecks,
} from './option-checks.js';
export { isPid, Pid, samePid } from './pid.js';
export { createPoisonGuard, type PoisonGuard, type PoisonGuardOptions } from './poison-guard.js';
export type { Ref } from './ref.js';
export { sleep } from './sleep.js';
export type {
  ChildSpec,
  ChildStart,
  ChildType,
  NormalizedChildSpec,
  RestartType,
  Shutdown,
  StartReturn,
} from './supervisor/child-spec.js';
export {
  DEFAULT_WORKER_SHUTDOWN,
  validateChildSpec,
  validateChildSpecs,
} from './supervisor/child-spec.js';
export {
  type AutoShutdown,
  DEFAULT_FLAGS,
  type MeterSpec,
  type RestartBackoff,
  type Strategy,
  type SupervisorFlags,
  validateFlags,
} from './supervisor/flags.js';
export { addRestart } from './supervisor/intensity.js';
export {
  chargeMeter,
  type MeterVerdict,
  type MeterWindow,
  newMeterWindow,
} from './supervisor/meter-window.js';
export { restartDelay } from './supervisor/restart-backoff.js';
export { planRestart, type RestartPlan, shouldRestart } from './supervisor/restart-policy.js';
export { Supervisor, type SupervisorInit, type SupervisorSpec } from './supervisor/supervisor.js';
export {
  type Caller,
  countChildren,
  deleteChild,
  getChildSpec,
  restartChild,
  type Starter,
  startChild,
  startDynamicChild,
  startSupervisor,
  supervisorChild,
  terminateChild,
  whichChildren,
} from './supervisor/supervisor-api.js';
export {
  isSupervisorConfigError,
  SUPERVISOR_CONFIG_ERRORS,
  type SupervisorConfigErrorCode,
  validateSupervisorSpec,
} from './supervisor/supervisor-config.js';
export type { MeterExceeded } from './supervisor/supervisor-meters.js';
export type {
  ChildCounts,
  ChildInfo,
  DeleteChildResult,
  GetChildSpecResult,
  RestartChildResult,
  StartChildResult,
  TerminateChildResult,
  UnknownRequestResult,
} from './supervisor/supervisor-results.js';
export {
  type CheckedTraceContext,
  type ContextPropagation,
  checkTraceContext,
  TRACE_CONTEXT_LIMITS,
  type TraceContext,
  type TraceContextDrop,
} from './trace-context.js';
export {
  type Delivery,
  type Envelope,
  type EnvelopeKind,
  refusalReason,
  type Transport,
  type TransportHost,
} from './transport.js';
export {
  WARDEN_ERROR_TAGS,
  WardenErrorBase,
  type WardenErrorLike,
  type WardenErrorTag,
  type WardenErrorWire,
} from './warden-error-base.js';
export { withoutStack } from './without-stack.js';
