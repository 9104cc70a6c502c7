import { type Backoff, type BackoffFields, backoffDelay as sharedBackoffDelay } from '@warden/core';
import type { ReconnectOptions } from './options.js';

/** How the shared backoff's fields are called in the transport's options. */
export const RECONNECT_FIELDS: BackoffFields = {
  initialMs: 'reconnect.initial',
  maxMs: 'reconnect.max',
  factor: 'reconnect.factor',
  jitter: 'reconnect.jitter',
};

/** The reconnect options as the shared backoff. */
export function reconnectBackoff(options: ReconnectOptions): Backoff {
  const { initial, max, factor, jitter } = options;
  return { initialMs: initial, maxMs: max, factor, jitter };
}

/**
 * The delay before redial attempt `attempt` (1-based, as every warden backoff counts): core's
 * `backoffDelay` with `initial * factor^(attempt-1)` capped at `max`, shortened by up to the
 * share `jitter` so that nodes cut off together do not redial in lockstep. Pure: `random` is the
 * only source of variation.
 *
 * @example
 * backoffDelay(4, { initial: 100, max: 10_000, factor: 2, jitter: 0 }, Math.random) // 800
 */
export function backoffDelay(
  attempt: number,
  options: ReconnectOptions,
  random: () => number,
): number {
  return sharedBackoffDelay(attempt, reconnectBackoff(options), random());
}
