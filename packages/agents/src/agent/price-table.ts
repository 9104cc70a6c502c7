import type { Usage } from '../model/usage.js';

/**
 * What a model costs, in US dollars per million tokens. warden ships no prices (they change and
 * differ by contract): the user supplies them, and a model missing from the table costs nothing
 * but is reported by `priceOf` as unknown, so a cost budget never passes silently on a typo.
 */
export interface ModelPrice {
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
  /** Defaults to `inputPerMTok`. */
  readonly cacheReadPerMTok?: number;
  /** Defaults to `inputPerMTok`. */
  readonly cacheWritePerMTok?: number;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** The cost of one call in US dollars, or `undefined` when the table has no price for `model`. */
export function costOf(prices: PriceTable, model: string, usage: Usage): number | undefined {
  const price = prices[model];
  if (price === undefined) return undefined;
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  // inputTokens includes the cached input: bill only the remainder at the plain input price.
  const plainInput = Math.max(0, usage.inputTokens - cacheRead - cacheWrite);
  return (
    (plainInput * price.inputPerMTok +
      cacheRead * (price.cacheReadPerMTok ?? price.inputPerMTok) +
      cacheWrite * (price.cacheWritePerMTok ?? price.inputPerMTok) +
      usage.outputTokens * price.outputPerMTok) /
    1_000_000
  );
}
