import type { Attributes } from '@opentelemetry/api';

/** A usage's token counts under the GenAI conventions' names, the counts not reported left out. */
export function usageAttributes(usage: unknown): Attributes {
  const out: Attributes = {};
  if (typeof usage !== 'object' || usage === null) return out;
  const counts = usage as Readonly<Record<string, unknown>>;
  for (const [field, name] of USAGE_ATTRIBUTES) {
    const value = counts[field];
    if (typeof value === 'number' && Number.isFinite(value)) out[name] = value;
  }
  return out;
}

const USAGE_ATTRIBUTES: readonly (readonly [string, string])[] = [
  ['inputTokens', 'gen_ai.usage.input_tokens'],
  ['outputTokens', 'gen_ai.usage.output_tokens'],
  ['cacheReadTokens', 'gen_ai.usage.cache_read.input_tokens'],
  ['cacheWriteTokens', 'gen_ai.usage.cache_creation.input_tokens'],
  ['reasoningTokens', 'gen_ai.usage.reasoning.output_tokens'],
];
