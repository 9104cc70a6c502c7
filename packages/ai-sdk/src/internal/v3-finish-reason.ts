import type { LanguageModelV3FinishReason } from '@ai-sdk/provider';
import type { FinishReason } from '@warden/agents';

const KNOWN: ReadonlySet<string> = new Set([
  'stop',
  'length',
  'tool-calls',
  'content-filter',
  'error',
  'other',
]);

/**
 * The V3 unified reason is ours already; a provider written against the V2 spec sends a bare
 * string, and anything unrecognised is `other` rather than a reason we cannot act on.
 */
export function fromV3FinishReason(reason: LanguageModelV3FinishReason | string): FinishReason {
  const unified = typeof reason === 'string' ? reason : reason?.unified;
  return typeof unified === 'string' && KNOWN.has(unified) ? (unified as FinishReason) : 'other';
}

export function toV3FinishReason(reason: FinishReason): LanguageModelV3FinishReason {
  return { unified: reason, raw: reason };
}
