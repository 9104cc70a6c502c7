/**
 * The provider-neutral conversation. Each client converts it to its wire format and back, so an
 * agent never sees a provider's shapes. The system prompt is kept apart (`ModelRequest.system`)
 * because providers disagree on where it goes.
 */
export type Part = TextPart | ToolCallPart | ToolResultPart;

export interface TextPart {
  readonly type: 'text';
  readonly text: string;
}

/** A tool call as the model made it; `input` is parsed JSON, still untrusted until validated. */
export interface ToolCallPart {
  readonly type: 'tool-call';
  readonly callId: string;
  readonly name: string;
  readonly input: unknown;
  /**
   * Set when the model's arguments were not valid JSON: `input` is then the raw text. The call
   * is kept (not thrown) so the agent can answer with a tool error and let the model correct it.
   */
  readonly inputError?: string;
}

export interface ToolResultPart {
  readonly type: 'tool-result';
  readonly callId: string;
  readonly name: string;
  readonly output: unknown;
  readonly isError?: boolean;
}

export type Role = 'user' | 'assistant' | 'tool';

export interface Message {
  readonly role: Role;
  readonly content: readonly Part[];
}
