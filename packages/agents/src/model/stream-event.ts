import type { FinishReason } from './model-response.js';
import type { Usage } from './usage.js';

/**
 * What `ModelClient.stream` yields: text as it arrives, each tool call once it is complete (its
 * arguments parsed), and exactly one `finish` last. A stream that ends any other way throws a
 * `ModelCallError` instead of ending quietly.
 */
export type StreamEvent =
  | { readonly type: 'text-delta'; readonly text: string }
  | {
      readonly type: 'tool-call';
      readonly callId: string;
      readonly name: string;
      readonly input: unknown;
      /** As `ToolCallPart.inputError`: the arguments were not JSON and `input` is the raw text. */
      readonly inputError?: string;
    }
  | {
      readonly type: 'finish';
      readonly finishReason: FinishReason;
      readonly usage: Usage;
      readonly model: string;
      readonly responseId?: string;
    };
