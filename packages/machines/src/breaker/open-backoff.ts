import type { OpenTimeout } from './breaker-options.js';

/** Re-opens beyond this add nothing: the timeout has long reached `maxMs`. */
export const MAX_LEVEL = 64;

/**
 * How long the breaker stays open after its `level`-th consecutive re-open:
 * `min(maxMs, initialMs * multiplier ** level)`, shortened by up to `jitter` of itself using
 * `random` in [0, 1), rounded to whole milliseconds. Pure: the randomness is an argument.
 */
export function openDelay(t: OpenTimeout, level: number, random: number): number {
  const base = Math.min(t.maxMs, t.initialMs * t.multiplier ** level);
  return Math.round(base * (1 - t.jitter * random));
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
