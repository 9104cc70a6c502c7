import type { Message } from './message.js';

/** A tool as the model sees it: a name, a description, and the JSON Schema of its input. */
export interface ToolSpec {
  readonly name: string;
  readonly description?: string;
  readonly inputSchema: Readonly<Record<string, unknown>>;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { readonly tool: string };

export interface ModelRequest {
  readonly system?: string;
  readonly messages: readonly Message[];
  readonly tools?: readonly ToolSpec[];
  readonly toolChoice?: ToolChoice;
  readonly maxOutputTokens?: number;
  readonly temperature?: number;
  readonly stop?: readonly string[];
  /**
   * Aborts the call: the HTTP request is cancelled and the call rejects with core's
   * `WardenError` `ERR_ABORTED`, not a `ModelCallError`: the caller gave up, the model did not
   * fail, so nothing retries it or counts it against the provider.
   */
  readonly signal?: AbortSignal;
}
