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
