/**
 * Token counts of one call. `inputTokens` includes cached input (OpenAI counts it that way and
 * Anthropic's three input counters are summed into it), so budgets compare like with like.
 */
export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens?: number;
  readonly cacheWriteTokens?: number;
  readonly reasoningTokens?: number;
}

export const ZERO_USAGE: Usage = Object.freeze({ inputTokens: 0, outputTokens: 0 });
