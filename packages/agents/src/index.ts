export {
  AGENT_ERROR_CODES,
  AgentError,
  type AgentErrorCode,
  type AgentErrorData,
  isAgentError,
} from './agent/agent-error.js';
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
  LOOP_GUARD_DEFAULTS,
  LoopGuard,
  type LoopGuardOptions,
  type LoopVerdict,
} from './agent/loop-guard.js';
export { costOf, type ModelPrice, type PriceTable } from './agent/price-table.js';
export { CanonicalFormError, canonicalHash, canonicalJson } from './canonical/canonical-json.js';
export { ContextLedger } from './context/context-ledger.js';
export {
  type Encoding,
  encodingForModel,
  loadTokenizer,
  MESSAGE_OVERHEAD,
  type Tokenizer,
} from './context/tokenizer.js';
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
export type { StreamEvent } from './model/stream-event.js';
export { type Usage, ZERO_USAGE } from './model/usage.js';
