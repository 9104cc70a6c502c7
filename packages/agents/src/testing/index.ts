export { estimateInputTokens, estimateTextTokens } from './estimate-tokens.js';
export {
  credentialsExpireAt,
  type FaultEffect,
  type FaultRule,
  type FaultWhen,
  faults,
  outage,
} from './scripted-fault.js';
export {
  createScriptedModel,
  SCRIPTED_MODEL_DEFAULTS,
  type ScriptedCall,
  type ScriptedModel,
  type ScriptedModelOptions,
} from './scripted-model.js';
export type { Script, ScriptedTurn, TurnContext, TurnFunction } from './scripted-turn.js';
export { seededRandom } from './seeded-random.js';
