import { ModelCallError } from '@warden/agents';
import type { Origin } from './classify-http-failure.js';

/**
 * A V3 tool call's input is JSON text; ours is the parsed value. An empty input is `{}` (some
 * providers send nothing for a tool without parameters, as the AI SDK itself accepts). Text that
 * is not JSON is the model's fault, reported as an `unknown` error naming the call: never passed
 * on as a string for a tool to misread.
 */
export function parseToolInput(
  input: string,
  call: { readonly toolCallId: string; readonly toolName: string },
  origin: Origin,
): unknown {
  if (input.trim() === '') return {};
  try {
    return JSON.parse(input);
  } catch (error) {
    throw new ModelCallError(
      'unknown',
      `tool call ${call.toolCallId} (${call.toolName}): the arguments are not JSON`,
      { provider: origin.provider, model: origin.model, cause: error },
    );
  }
}
