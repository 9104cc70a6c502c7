import type { Part } from './message.js';
import type { Usage } from './usage.js';

export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other';

export interface ModelResponse {
  readonly content: readonly Part[];
  readonly finishReason: FinishReason;
  readonly usage: Usage;
  /** The model that answered (a fallback's name when the ladder served the call). */
  readonly model: string;
  readonly responseId?: string;
}
