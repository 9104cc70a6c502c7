/** The input of a tool call: parsed, or the raw text with the reason it could not be. */
export interface ParsedToolInput {
  readonly input: unknown;
  readonly inputError?: string;
}

/**
 * Parses a tool call's arguments. Empty arguments are `{}` (servers send `""` for a tool without
 * parameters). Text that is not JSON does not fail the call: the call is kept with `input` set to
 * the raw text and `inputError` saying why, so the agent can answer the model with a tool error
 * and let it correct itself, and the rest of the response (text, other calls, the usage already
 * paid for) is not thrown away.
 */
export function parseToolInput(raw: string): ParsedToolInput {
  if (raw.trim() === '') return { input: {} };
  try {
    return { input: JSON.parse(raw) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { input: raw, inputError: `the arguments are not valid JSON: ${reason}` };
  }
}
