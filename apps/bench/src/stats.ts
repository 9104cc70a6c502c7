export interface Summary {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** Min, median and max of at least one value. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('summarize needs at least one value');
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0] as number,
    median: percentile(sorted, 50),
    max: sorted[sorted.length - 1] as number,
  };
}

/** The p-th percentile (0-100) of sorted values, interpolating between neighbours. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (rank - low);
}
