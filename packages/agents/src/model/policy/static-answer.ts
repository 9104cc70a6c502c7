import type { ModelRequest } from '../model-request.js';
import type { ModelResponse } from '../model-response.js';
import { ZERO_USAGE } from '../usage.js';

/**
 * The rung above the queue: a fixed answer with guidance ("the assistant is degraded, try again
 * in a few minutes"), or a function that writes one for a request, or declines (`undefined`).
 */
export type StaticAnswer = string | ((request: ModelRequest) => string | undefined);

/** The model name a static answer carries, so the caller can tell it from a model's. */
export const STATIC_MODEL = 'warden:static';

/**
 * The static answer for `request`, or undefined when none fits. A request that must call a tool
 * (`toolChoice` `required` or a named tool) never gets text: the agent would break its contract,
 * so that request waits in the queue instead.
 */
export function staticResponse(
  answer: StaticAnswer,
  request: ModelRequest,
): ModelResponse | undefined {
  const choice = request.toolChoice;
  if (choice === 'required' || (typeof choice === 'object' && choice !== null)) return undefined;
  const text = typeof answer === 'function' ? answer(request) : answer;
  if (typeof text !== 'string') return undefined;
  return {
    content: [{ type: 'text', text }],
    finishReason: 'other',
    usage: ZERO_USAGE,
    model: STATIC_MODEL,
  };
}
