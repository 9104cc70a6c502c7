import type { RestartBackoff } from './flags.js';

/**
 * The delay before the `attempt`-th restart inside the current intensity window (1-based):
 * exponential from `minMs`, capped at `maxMs`, with full jitter unless disabled.
 */
export function restartDelay(backoff: RestartBackoff, attempt: number): number {
  const exponent = Math.max(0, attempt - 1);
  const ceiling = Math.min(backoff.maxMs, backoff.minMs * 2 ** Math.min(exponent, 52));
  if (backoff.jitter === 'none') return ceiling;
  const random = backoff.random ?? Math.random;
  return Math.floor(random() * ceiling);
}
