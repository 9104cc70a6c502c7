export {
  CHECK_DEFAULTS,
  type CheckOptions,
  type CheckReport,
  checkSystem,
  type ReplayOptions,
  replaySystem,
  SystemCheckFailure,
} from './check-system.js';
export { type EffectRecord, EffectRecorder } from './effect-recorder.js';
export {
  type CrashReason,
  type CrashTarget,
  describeFault,
  type Fault,
  type FaultKind,
  type ModelFaultKind,
  modelRules,
} from './fault.js';
export {
  clockJump,
  crashAt,
  crashOnMessage,
  delayLink,
  FAULT_DEFAULTS,
  type FaultUniverse,
  faultSchedule,
  hangHandler,
  modelFault,
  partitionNodes,
  redelivery,
  slowHandler,
  toolFailure,
} from './fault-arbitraries.js';
export { InjectedCrash } from './internal/chaos-behaviour.js';
export { InjectedToolFailure } from './internal/chaos-tool.js';
export { type Invariant, invariant, type Violation } from './invariant.js';
export { approvedIrreversible } from './invariants/approvals.js';
export { auditChainIntact } from './invariants/audit-chain.js';
export { type BudgetLimits, budgetsRespected } from './invariants/budgets.js';
export { journalExactlyOnce } from './invariants/journal-exactly-once.js';
export { noDuplicateEffects } from './invariants/no-duplicate-effects.js';
export { noOrphans } from './invariants/no-orphans.js';
export { nothingLost } from './invariants/nothing-lost.js';
export { restartIntensity } from './invariants/restart-intensity.js';
export { singleInstance } from './invariants/single-instance.js';
export { recordEffect } from './record-effect.js';
export { RequestLedger, type RequestRecord, type RequestStatus } from './request-ledger.js';
export { type RunOptions, type RunOutcome, runSchedule, type Setup } from './run-schedule.js';
export { sampleSchedules } from './sample-schedules.js';
export {
  type InstanceViolation,
  Simulation,
  type SimulationOptions,
  simulationOf,
} from './simulation.js';
export type { SystemModule } from './system-module.js';
export {
  isTestkitError,
  TESTKIT_ERROR_CODES,
  TestkitError,
  type TestkitErrorCode,
} from './testkit-error.js';
export { Timeline, type TimelineEntry } from './timeline.js';
