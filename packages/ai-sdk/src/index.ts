export { classifyAiSdkError } from './classify-ai-sdk-error.js';
export { FROM_AI_SDK_DEFAULTS, type FromAiSdkOptions, fromAiSdk } from './from-ai-sdk.js';
export type { Origin } from './origin.js';
export { type ToAiSdkOptions, toAiSdk } from './to-ai-sdk.js';
