export { estimateInputTokens, estimateTextTokens } from './estimate-tokens.js';
export type { ScriptedCall } from './scripted-call.js';
export {
  credentialsExpireAt,
  type FaultEffect,
  type FaultRule,
  type FaultWhen,
  faults,
  outage,
} from './scripted-fault.js';
export { createScriptedModel, type ScriptedModel } from './scripted-model.js';
export { SCRIPTED_MODEL_DEFAULTS, type ScriptedModelOptions } from './scripted-model-options.js';
export type { Script, ScriptedTurn, TurnContext, TurnFunction } from './scripted-turn.js';
export { seededRandom } from './seeded-random.js';
