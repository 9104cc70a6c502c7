import type { LanguageModelV3Usage } from '@ai-sdk/provider';
import type { Usage } from '@warden/agents';

/**
 * V3 usage to ours. A provider may report only the parts (no cache, cache read, cache write;
 * text, reasoning) or only the totals; the total wins when given, else the parts are summed, so
 * `inputTokens` includes cached input either way.
 */
export function fromV3Usage(usage: LanguageModelV3Usage): Usage {
  const { noCache, cacheRead, cacheWrite } = usage.inputTokens;
  const { text, reasoning } = usage.outputTokens;
  return {
    inputTokens: usage.inputTokens.total ?? (noCache ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0),
    outputTokens: usage.outputTokens.total ?? (text ?? 0) + (reasoning ?? 0),
    ...(cacheRead === undefined ? {} : { cacheReadTokens: cacheRead }),
    ...(cacheWrite === undefined ? {} : { cacheWriteTokens: cacheWrite }),
    ...(reasoning === undefined ? {} : { reasoningTokens: reasoning }),
  };
}

/** Ours to V3: the uncached input and the text output are what remains of each total. */
export function toV3Usage(usage: Usage): LanguageModelV3Usage {
  const cacheRead = usage.cacheReadTokens;
  const cacheWrite = usage.cacheWriteTokens;
  const reasoning = usage.reasoningTokens;
  return {
    inputTokens: {
      total: usage.inputTokens,
      noCache: Math.max(0, usage.inputTokens - (cacheRead ?? 0) - (cacheWrite ?? 0)),
      cacheRead,
      cacheWrite,
    },
    outputTokens: {
      total: usage.outputTokens,
      text: Math.max(0, usage.outputTokens - (reasoning ?? 0)),
      reasoning,
    },
  };
}
