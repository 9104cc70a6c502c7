import type { Part } from '../model/message.js';
import type { ModelRequest } from '../model/model-request.js';
import type { FinishReason, ModelResponse } from '../model/model-response.js';
import type { Usage } from '../model/usage.js';
import { estimateInputTokens, estimateTextTokens } from './estimate-tokens.js';

/** One answer of the scripted model. Usage defaults to the model's own estimate. */
export interface ScriptedTurn {
  readonly text?: string;
  readonly toolCalls?: readonly {
    readonly name: string;
    readonly input: unknown;
    readonly callId?: string;
  }[];
  readonly usage?: Partial<Usage>;
  /** Default `tool-calls` when there are tool calls, else `stop`. */
  readonly finishReason?: FinishReason;
}

/** Which call a turn answers: its index among all calls, and the time on the clock. */
export interface TurnContext {
  readonly index: number;
  readonly now: number;
}

/** A turn decided by what the model was asked, so a test can answer by the request. */
export type TurnFunction = (request: ModelRequest, context: TurnContext) => ScriptedTurn;

/**
 * What the model answers: one turn (or function) for every call, or a list consumed one turn per
 * answered call (a call that fails does not use a turn, so a retry gets the same answer).
 */
export type Script = ScriptedTurn | TurnFunction | readonly (ScriptedTurn | TurnFunction)[];

/** The response a turn makes, as a real client would return it. */
export function responseOf(
  turn: ScriptedTurn,
  request: ModelRequest,
  model: string,
  responseId: string,
): ModelResponse {
  const content: Part[] = [];
  if (turn.text !== undefined && turn.text !== '') content.push({ type: 'text', text: turn.text });
  let n = 0;
  for (const call of turn.toolCalls ?? []) {
    n++;
    content.push({
      type: 'tool-call',
      callId: call.callId ?? `${responseId}-call-${n}`,
      name: call.name,
      input: call.input,
    });
  }
  const outputTokens =
    estimateTextTokens(turn.text ?? '') +
    (turn.toolCalls ?? []).reduce(
      (sum, c) => sum + estimateTextTokens(c.name + (JSON.stringify(c.input) ?? '')),
      0,
    );
  const usage: Usage = {
    // Estimated only when the turn does not say: a given figure replaces it anyway.
    inputTokens: turn.usage?.inputTokens === undefined ? estimateInputTokens(request) : 0,
    outputTokens,
    ...turn.usage,
  };
  const finishReason = turn.finishReason ?? (n > 0 ? 'tool-calls' : 'stop');
  return { content, finishReason, usage, model, responseId };
}
