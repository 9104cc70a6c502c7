import { type Backoff, type BackoffFields, backoffDelay } from '@warden/core';
import type { OpenTimeout } from './breaker-options.js';

/** Re-opens beyond this add nothing: the timeout has long reached `maxMs`. */
export const MAX_LEVEL = 64;

/** How the shared backoff's fields are called in a breaker's options. */
export const OPEN_TIMEOUT_FIELDS: BackoffFields = {
  initialMs: 'openTimeout.initialMs',
  maxMs: 'openTimeout.maxMs',
  factor: 'openTimeout.multiplier',
  jitter: 'openTimeout.jitter',
};

/** The open timeout as the shared backoff: `multiplier` is its factor, `jitter` a share. */
export function openBackoff(t: OpenTimeout): Backoff {
  return { initialMs: t.initialMs, maxMs: t.maxMs, factor: t.multiplier, jitter: t.jitter };
}

/**
 * How long the breaker stays open after its `level`-th consecutive re-open (0 for a first trip):
 * the shared `backoffDelay` at attempt `level + 1`, i.e. `min(maxMs, initialMs * multiplier **
 * level)` shortened by up to `jitter` of itself using `random` in [0, 1), in whole
 * milliseconds. Pure: the randomness is an argument.
 */
export function openDelay(t: OpenTimeout, level: number, random: number): number {
  return backoffDelay(level + 1, openBackoff(t), random);
}

/**
 * One step of mulberry32: a tiny, seedable PRNG kept as a uint32 in the breaker's state, so the
 * breaker's jitter is part of its (serialisable, replayable) state rather than hidden I/O.
 * Returns the next seed and a number in [0, 1).
 */
export function nextRandom(seed: number): { seed: number; value: number } {
  const s = (seed + 0x6d2b79f5) >>> 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { seed: s, value: ((t ^ (t >>> 14)) >>> 0) / 4294967296 };
}
