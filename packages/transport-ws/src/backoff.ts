import type { ReconnectOptions } from './options.js';

/**
 * The delay before reconnect attempt `attempt` (0-based): `initial * factor^attempt`, capped at
 * `max`, then spread by +-`jitter` so that nodes cut off together do not redial in lockstep.
 * Pure: `random` is the only source of variation.
 *
 * @example
 * backoffDelay(3, { initial: 100, max: 10_000, factor: 2, jitter: 0 }, Math.random) // 800
 */
export function backoffDelay(
  attempt: number,
  options: ReconnectOptions,
  random: () => number,
): number {
  const exponent = Math.min(Math.max(0, attempt), 64);
  const base = Math.min(options.max, options.initial * options.factor ** exponent);
  const spread = base * options.jitter * (2 * random() - 1);
  return Math.max(0, Math.min(options.max, Math.round(base + spread)));
}
