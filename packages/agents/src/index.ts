export {
  AGENT_ERROR_CODES,
  AgentError,
  type AgentErrorCode,
  type AgentErrorData,
  isAgentError,
} from './agent/agent-error.js';
export {
  type AgentHostOptions,
  agentHost,
  type HostStartReply,
  type HostStartRequest,
  startOnHost,
} from './agent/agent-host.js';
export {
  type AgentControl,
  type AgentReply,
  type AgentStatus,
  type AgentTask,
  AWAIT,
  agentStatus,
  CANCEL,
  cancelTask,
  isAgentTask,
  runTask,
  STATUS,
} from './agent/agent-protocol.js';
export {
  AGENT_DEFAULTS,
  type AgentSpec,
  type SubagentLimits,
} from './agent/agent-spec.js';
export {
  type BudgetBreach,
  type BudgetLimits,
  BudgetMeter,
  type BudgetName,
  type BudgetSpent,
  budgetExceeded,
  NOTHING_SPENT,
} from './agent/budget.js';
export {
  type AgentArgs,
  type AgentBehaviour,
  type AgentState,
  defineAgent,
} from './agent/define-agent.js';
export {
  LOOP_GUARD_DEFAULTS,
  LoopGuard,
  type LoopGuardOptions,
  type LoopVerdict,
} from './agent/loop-guard.js';
export { costOf, type ModelPrice, type PriceTable } from './agent/price-table.js';
export { newTreeCounter, type TreeCounter } from './agent/subagents.js';
export { CanonicalFormError, canonicalHash, canonicalJson } from './canonical/canonical-json.js';
export {
  COMPACTION_DEFAULTS,
  type CompactionEnv,
  type CompactionOptions,
  type CompactionReport,
  type CompactionStrategy,
  compact,
} from './context/compaction.js';
export { ContextLedger } from './context/context-ledger.js';
export {
  type Encoding,
  encodingForModel,
  MESSAGE_OVERHEAD,
  type Tokenizer,
  tokenizerFor,
} from './context/tokenizer.js';
export {
  type Approval,
  type ApprovalBinding,
  type ApprovalCheck,
  checkApproval,
  requesterOf,
  resourceOf,
} from './governance/approval.js';
export {
  APPROVAL_DESK_DEFAULTS,
  type ApprovalAnswer,
  ApprovalDesk,
  type ApprovalDeskOptions,
  type ApprovalKind,
  type ApprovalRequest,
} from './governance/approval-desk.js';
export type { ApprovalEvent } from './governance/approval-event.js';
export {
  type ApprovalStore,
  bindingKey,
  MemoryApprovalStore,
} from './governance/approval-store.js';
export { argsHash, argsText } from './governance/args-hash.js';
export {
  type AuditEntry,
  type AuditKind,
  type AuditLog,
  type AuditRecord,
  type AuditVerdict,
  entryHash,
  GENESIS,
  MemoryAuditLog,
  verifyAuditChain,
} from './governance/audit-log.js';
export {
  CapabilitySet,
  type CapabilityVerdict,
  type CapabilityWire,
  type Grant,
  isCapabilitySet,
} from './governance/capability-set.js';
export {
  checkTransition,
  EFFECT_TRANSITIONS,
  type EffectChange,
  type EffectEntry,
  type EffectJournal,
  type EffectState,
  MemoryEffectJournal,
  type NewEffect,
} from './governance/effect-journal.js';
export { Gate, type GateCall, type GateHooks } from './governance/gate.js';
export {
  type ApprovalOptions,
  type Governance,
  type GovernanceSpec,
  governanceFor,
  type InheritedGovernance,
  resolveGovernance,
} from './governance/governance.js';
export {
  GOVERNANCE_ERROR_CODES,
  GovernanceError,
  type GovernanceErrorCode,
  type GovernanceErrorData,
  isGovernanceError,
} from './governance/governance-error.js';
export {
  type FreezeSwitch,
  POLICY_DEFAULTS,
  Policy,
  type PolicyCall,
  type PolicyDecision,
  type PolicyOptions,
  type PolicyRule,
  type PolicyVerdict,
  type UnknownOutcomeChoice,
  type UnknownOutcomeMode,
} from './governance/policy.js';
export type { UnknownOutcomeEvent } from './governance/unknown-outcome.js';
export type {
  CheckLevel,
  CheckOutcome,
  CheckResult,
  CheckRun,
  CheckStatus,
} from './health/check-result.js';
export {
  FUNCTIONAL_DEFAULTS,
  type FunctionalOptions,
  functionalCheck,
  type GoldenChecker,
} from './health/functional-check.js';
export {
  HEALTH_DEFAULTS,
  Health,
  type HealthChanged,
  type HealthOptions,
  type HealthReport,
  startHealth,
} from './health/health.js';
export type { HealthAction } from './health/health-action.js';
export type { CheckContext, HealthCheck } from './health/health-check.js';
export {
  HEALTH_SERVER_DEFAULTS,
  type HealthServer,
  type HealthServerOptions,
  serveHealth,
} from './health/health-server.js';
export { LIVENESS_DEFAULTS, type LivenessOptions, livenessCheck } from './health/liveness-check.js';
export {
  QUALITY_DEFAULTS,
  QualityCheck,
  type QualityOptions,
  type QualitySample,
  type QualityScorer,
} from './health/quality-check.js';
export {
  type BreakerLike,
  type LadderLike,
  READINESS_DEFAULTS,
  type ReadinessOptions,
  readinessCheck,
} from './health/readiness-check.js';
export { type SampleAnswersOptions, sampleAnswers } from './health/sample-answers.js';
export {
  ANTHROPIC_DEFAULTS,
  type AnthropicClientOptions,
  createAnthropicClient,
} from './model/anthropic/anthropic-client.js';
export { classifyHttpError, type HttpErrorInput } from './model/classify-error.js';
export {
  classifyFetchFailure,
  type FetchFailureContext,
} from './model/classify-fetch-failure.js';
export { type ErrorBody, readErrorBody } from './model/error-body.js';
export {
  HTTP_CLIENT_DEFAULTS,
  type HttpClientOptions,
} from './model/http-client-options.js';
export type {
  Message,
  Part,
  Role,
  TextPart,
  ToolCallPart,
  ToolResultPart,
} from './model/message.js';
export {
  isModelCallError,
  isRetryableKind,
  MODEL_ERROR_KINDS,
  ModelCallError,
  type ModelCallErrorData,
  type ModelCallErrorInit,
  type ModelErrorKind,
} from './model/model-call-error.js';
export type { ModelClient } from './model/model-client.js';
export type { ModelRequest, ToolChoice, ToolSpec } from './model/model-request.js';
export type { FinishReason, ModelResponse } from './model/model-response.js';
export {
  createOpenAIClient,
  OPENAI_DEFAULTS,
  type OpenAIClientOptions,
} from './model/openai/openai-client.js';
export { type ParsedToolInput, parseToolInput } from './model/parse-tool-input.js';
export {
  FAILURE_HANDLING,
  type KindHandling,
  MODEL_POLICY_DEFAULTS,
} from './model/policy/failure-handling.js';
export type { LadderEntry, LadderResult } from './model/policy/ladder-entry.js';
export { toModelCallError } from './model/policy/model-failure.js';
export {
  createModelPolicy,
  ModelPolicy,
  type ModelPolicyOptions,
  modelPolicyOf,
} from './model/policy/model-policy.js';
export type {
  ModelEvent,
  ModelPolicyEvent,
  ModelPolicyObserver,
} from './model/policy/model-policy-event.js';
export type { Lease, OpenStream } from './model/policy/open-stream.js';
export { ProviderLimiter, type ProviderLimits } from './model/policy/provider-limiter.js';
export {
  createResilientModel,
  type ResilientModel,
  type ResilientModelOptions,
} from './model/policy/resilient-model.js';
export {
  ResponseCache,
  type ResponseCacheOptions,
  requestKey,
} from './model/policy/response-cache.js';
export { ResponseCollector, streamOf } from './model/policy/response-stream.js';
export { STATIC_MODEL, type StaticAnswer, staticResponse } from './model/policy/static-answer.js';
export {
  type HeaderSource,
  headerValue,
  retryAfterFromHeaders,
} from './model/retry-after.js';
export {
  parseSse,
  SSE_DEFAULTS,
  type SseEvent,
  SseParser,
  type SseParserOptions,
} from './model/sse.js';
export type { StreamEvent } from './model/stream-event.js';
export { type Usage, ZERO_USAGE } from './model/usage.js';
export {
  type AnomalyAction,
  type AnomalyStop,
  isAnomalyStop,
} from './monitors/anomaly-action.js';
export { type DeadLetterGrowthOptions, deadLetterMonitor } from './monitors/dead-letter-monitor.js';
export {
  type EndpointCallsOptions,
  endpointCallsMonitor,
} from './monitors/endpoint-calls-monitor.js';
export {
  MAILBOX_GROWTH_DEFAULTS,
  type MailboxGrowthOptions,
  mailboxGrowthMonitor,
} from './monitors/mailbox-growth-monitor.js';
export type { Monitor, MonitorFiring, MonitorReading } from './monitors/monitor.js';
export { Monitors, startMonitors } from './monitors/monitors.js';
export {
  type RepeatedToolCallsMonitor,
  type RepeatedToolCallsOptions,
  repeatedToolCallsMonitor,
} from './monitors/repeated-tool-calls-monitor.js';
export { type SpawnRateOptions, spawnRateMonitor } from './monitors/spawn-rate-monitor.js';
export {
  type SubagentCountOptions,
  subagentCountMonitor,
} from './monitors/subagent-count-monitor.js';
export { type TokenBurnOptions, tokenBurnMonitor } from './monitors/token-burn-monitor.js';
export type { AgentStore, PruneReport, Retention, StorageUsage } from './store/agent-store.js';
export type { AgentResult, Checkpoint } from './store/checkpoint.js';
export {
  type CheckpointStore,
  type CommitOptions,
  isStaleHeadError,
  MemoryCheckpointStore,
  StaleHeadError,
} from './store/checkpoint-store.js';
export type { ClusterSpawnEvent } from './store/cluster-spawn-event.js';
export {
  ClusterSpawnOnce,
  type ClusterSpawnOnceResult,
  type ClusterStart,
} from './store/cluster-spawn-once.js';
export {
  CLUSTER_SPAWN_ONCE_DEFAULTS,
  type ClusterSpawnOnceOptions,
} from './store/cluster-spawn-once-options.js';
export type { LeaseLoss } from './store/lease-keeper.js';
export {
  acquireLease,
  fenced,
  heldUnder,
  type LeaseRow,
  renewLease,
} from './store/lease-rules.js';
export type { Acquired, KeyLease, LeaseStore } from './store/lease-store.js';
export { MemoryAgentStore, type MemoryAgentStoreOptions } from './store/memory-agent-store.js';
export { MemoryLeaseStore } from './store/memory-lease-store.js';
export {
  type MemoryEntry,
  MemoryMemoryStore,
  type MemoryStore,
  memoryText,
} from './store/memory-store.js';
export type { QueuedRequest, QueueStore } from './store/queue-store.js';
export {
  checkRetention,
  isExpiredThread,
  isPrunableEffect,
  SETTLED_EFFECT_STATES,
} from './store/retention-rules.js';
export {
  isStoreError,
  STORE_ERROR_CODES,
  StoreError,
  type StoreErrorCode,
  type StoreErrorData,
} from './store/store-error.js';
export { decodeStoreJson, encodeStoreJson, storeJsonCopy } from './store/store-json.js';
export {
  approvalRecord,
  auditEntryRecord,
  checkpointRecord,
  deadLetterRecord,
  effectEntryRecord,
  keyLeaseRecord,
  memoryEntryRecord,
  queuedRequestRecord,
} from './store/store-records.js';
export { recallTool } from './tools/recall-tool.js';
export {
  MAX_TOOL_OUTPUT_CHARS,
  runToolCall,
  type ToolCallEnv,
  type ToolCallOutcome,
} from './tools/run-tool-call.js';
export {
  type AgentResultLike,
  type AnyTool,
  defineTool,
  EFFECTS,
  type Effect,
  type SpawnAgentOptions,
  TOOL_DEFAULTS,
  type Tool,
  type ToolContext,
  type ToolDefinition,
} from './tools/tool.js';
export {
  isToolError,
  TOOL_ERROR_CODES,
  ToolError,
  type ToolErrorCode,
  type ToolErrorData,
} from './tools/tool-error.js';
