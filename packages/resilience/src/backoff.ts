/**
 * How retries spread out. With `ceiling(n) = min(maxDelayMs, baseMs * 2^(n-1))` for the n-th
 * retry (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 *
 * - `none`: exactly the ceiling. Synchronised clients retry in lock-step: avoid under load.
 * - `full` (default): uniform in `[0, ceiling)`. The least total work for contended resources.
 * - `equal`: `ceiling/2` plus uniform in `[0, ceiling/2)`. Never retries almost at once.
 * - `decorrelated`: uniform in `[baseMs, 3 * previous)`, capped at `maxDelayMs`; grows from the
 *   previous delay rather than the attempt number.
 */
export type Jitter = 'none' | 'full' | 'equal' | 'decorrelated';

export const JITTERS: readonly Jitter[] = ['none', 'full', 'equal', 'decorrelated'];

export interface Backoff {
  readonly baseMs: number;
  readonly maxDelayMs: number;
  readonly jitter: Jitter;
}

/** The exponential ceiling for the n-th retry (n >= 1): `min(maxDelayMs, baseMs * 2^(n-1))`. */
export function backoffCeiling(retry: number, baseMs: number, maxDelayMs: number): number {
  if (baseMs === 0) return 0;
  return Math.min(maxDelayMs, baseMs * 2 ** Math.max(0, retry - 1));
}

/**
 * The delay before the n-th retry (n >= 1). Pure: `random` is the only source of chance (a value
 * in [0, 1)) and `previousMs` is the delay before the previous retry (`baseMs` for the first),
 * used by decorrelated jitter. Always within `[0, maxDelayMs]`.
 */
export function backoffDelay(
  retry: number,
  backoff: Backoff,
  random: number,
  previousMs: number = backoff.baseMs,
): number {
  const { baseMs, maxDelayMs, jitter } = backoff;
  switch (jitter) {
    case 'none':
      return backoffCeiling(retry, baseMs, maxDelayMs);
    case 'full':
      return random * backoffCeiling(retry, baseMs, maxDelayMs);
    case 'equal': {
      const ceiling = backoffCeiling(retry, baseMs, maxDelayMs);
      return ceiling / 2 + (random * ceiling) / 2;
    }
    case 'decorrelated': {
      const low = Math.min(baseMs, maxDelayMs);
      const high = Math.max(low, Math.min(maxDelayMs, previousMs * 3));
      return Math.min(maxDelayMs, low + random * (high - low));
    }
  }
}
