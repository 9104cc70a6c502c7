import { type Backoff, backoffDelay } from '../backoff.js';
import type { RestartBackoff } from './flags.js';

/**
 * The delay before the `attempt`-th restart inside the current intensity window (1-based):
 * the shared `backoffDelay`, doubling from `minMs` up to `maxMs`, with full jitter unless
 * disabled.
 */
export function restartDelay(backoff: RestartBackoff, attempt: number): number {
  const shape: Backoff = {
    initialMs: backoff.minMs,
    maxMs: backoff.maxMs,
    factor: 2,
    jitter: backoff.jitter,
  };
  const random = backoff.jitter === 'none' ? 0 : (backoff.random ?? Math.random)();
  return backoffDelay(attempt, shape, random);
}
