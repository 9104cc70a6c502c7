export { JITTERS, type Jitter } from '@warden/core';
export {
  type Classification,
  type Classifier,
  classifyError,
  statusOf,
  TRANSIENT_CODES,
} from './classify.js';
export type { DeadLetterFilter } from './dead-letter-filter.js';
export {
  DEAD_LETTER_DEFAULTS,
  type DeadLetterContext,
  DeadLetterQueue,
  type DeadLetterQueueOptions,
  type DeadLetterStats,
  type RecordInput,
  type ReplayReport,
} from './dead-letter-queue.js';
export {
  type DeadLetterEntry,
  type DeadLetterStore,
  type LedgerRecord,
  MemoryDeadLetterStore,
} from './dead-letter-store.js';
export {
  type Answer,
  DegradationLadder,
  type DegradationLadderOptions,
  LADDER_DEFAULTS,
  type Level,
  type Replayed,
  type Served,
} from './degradation-ladder.js';
export {
  isResilienceError,
  RESILIENCE_ERROR_CODES,
  ResilienceError,
  type ResilienceErrorCode,
  type ResilienceErrorData,
} from './errors.js';
export type {
  Observed,
  ResilienceEvent,
  ResilienceEventType,
  ResilienceObserver,
} from './events.js';
export { FeatureFlags, type FeatureFlagsOptions } from './feature-flags.js';
export { type Lease, type LockOptions, type Owner, ownerKey } from './lease.js';
export {
  type HealthState,
  isAvailable,
  type LevelHealth,
  type Unsubscribe,
} from './level-health.js';
export { type Grant, type Holding, type LockRequest, LockTable } from './lock-table.js';
export type { ExecuteOptions, Policy, PolicyContext, PolicyLike } from './policy.js';
export { publishTo } from './publish-to.js';
export {
  checkQueueStore,
  MemoryQueueStore,
  type QueuedRequest,
  type QueueStore,
} from './queue-store.js';
export {
  MEDIATOR_DEFAULTS,
  ResourceMediator,
  type ResourceMediatorOptions,
} from './resource-mediator.js';
export {
  type AttemptHolder,
  RETRY_DEFAULTS,
  type RetryCall,
  type RetryContext,
  type RetryOptions,
  RetryPolicy,
  retry,
} from './retry.js';
export { parseRetryAfter } from './retry-after.js';
export { RETRY_BUDGET_DEFAULTS, RetryBudget, type RetryBudgetOptions } from './retry-budget.js';
export {
  type AcquireOptions,
  bulkhead,
  type Permit,
  SEMAPHORE_DEFAULTS,
  Semaphore,
  type SemaphoreOptions,
} from './semaphore.js';
export {
  CONFLICT_POLICIES,
  type ConflictPolicy,
  SpawnOnceGuard,
  type SpawnOnceGuardOptions,
  type SpawnOnceOptions,
  type SpawnOnceResult,
} from './spawn-once.js';
export type { SpawnStart } from './spawn-start.js';
export { type TimeoutOptions, TimeoutPolicy, timeout, withTimeout } from './timeout.js';
export {
  type TakeOptions,
  TOKEN_BUCKET_DEFAULTS,
  TokenBucket,
  type TokenBucketOptions,
} from './token-bucket.js';
export { findAnyCycle, findCycle, type WaitForGraph } from './wait-for-graph.js';
export {
  heartbeat,
  unwatch,
  WATCHDOG_DEFAULTS,
  Watchdog,
  type WatchdogMessage,
  type WatchdogOptions,
  type WatchedProcess,
  watch,
  watched,
} from './watchdog.js';
export { wrap } from './wrap.js';
