import { describeValue, WardenError } from '../errors.js';

export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one' | 'simple_one_for_one';
export type AutoShutdown = 'never' | 'any_significant' | 'all_significant';

/**
 * Beyond OTP: wait before restarting a child that keeps crashing. The n-th restart inside the
 * intensity window waits up to `min(maxMs, minMs * 2^(n-1))` ms ("full" jitter draws uniformly
 * below that ceiling; "none" waits the ceiling). Intensity still decides when to give up.
 */
export interface RestartBackoff {
  readonly minMs: number;
  readonly maxMs: number;
  readonly jitter: 'full' | 'none';
  /** Source of randomness in [0, 1); default Math.random. Tests pass a seeded one. */
  readonly random?: () => number;
}

/**
 * Beyond OTP: a limit on a quantity the subtree reports (`ctx.report(name, amount)`), checked like
 * restart intensity: past `limit` within `period` ms the supervisor shuts its children down and
 * exits, escalating. Tokens and dollars for agents; the core gives the names no meaning.
 */
export interface MeterSpec {
  readonly name: string;
  /** The most the window may sum to (finite, >= 0): `limit` is allowed, anything more is not. */
  readonly limit: number;
  /** The window in milliseconds on the node's clock (integer > 0). */
  readonly period: number;
}

export interface SupervisorFlags {
  readonly strategy: Strategy;
  /** Most restarts allowed within `period` (OTP's MaxR). Integer >= 0. */
  readonly intensity: number;
  /** The intensity window in milliseconds on the node's clock (OTP's MaxT, in seconds there). */
  readonly period: number;
  readonly autoShutdown: AutoShutdown;
  readonly backoff: RestartBackoff | undefined;
  /** Beyond OTP: quarantine a message that crashed a child `threshold` times (see PoisonGuard). */
  readonly poison: { readonly threshold: number; readonly windowMs?: number } | undefined;
  /** Beyond OTP: metered intensity, one window per meter (see `MeterSpec`); names distinct. */
  readonly meters: readonly MeterSpec[] | undefined;
}

/** OTP's `?default_flags`, with the period in milliseconds. */
export const DEFAULT_FLAGS: SupervisorFlags = Object.freeze({
  strategy: 'one_for_one',
  intensity: 1,
  period: 5000,
  autoShutdown: 'never',
  backoff: undefined,
  poison: undefined,
  meters: undefined,
});

const STRATEGIES: readonly Strategy[] = [
  'one_for_one',
  'one_for_all',
  'rest_for_one',
  'simple_one_for_one',
];
const AUTO_SHUTDOWNS: readonly AutoShutdown[] = ['never', 'any_significant', 'all_significant'];

function invalid(field: string, value: unknown, expected: string): WardenError {
  return new WardenError(
    'ERR_INVALID_FLAGS',
    `invalid supervisor flag ${field}: ${describeValue(value)} (expected ${expected})`,
    {
      field,
    },
  );
}

/**
 * Fills defaults and checks every flag; throws `ERR_INVALID_FLAGS` naming the first bad field, or
 * `ERR_BAD_COMBINATION` (field `autoShutdown`) for auto-shutdown under simple_one_for_one.
 */
export function validateFlags(input: Partial<SupervisorFlags> = {}): SupervisorFlags {
  const strategy = input.strategy ?? DEFAULT_FLAGS.strategy;
  const intensity = input.intensity ?? DEFAULT_FLAGS.intensity;
  const period = input.period ?? DEFAULT_FLAGS.period;
  const autoShutdown = input.autoShutdown ?? DEFAULT_FLAGS.autoShutdown;
  if (!STRATEGIES.includes(strategy)) throw invalid('strategy', strategy, STRATEGIES.join(' | '));
  if (!Number.isInteger(intensity) || intensity < 0)
    throw invalid('intensity', intensity, 'an integer >= 0');
  if (!Number.isInteger(period) || period <= 0)
    throw invalid('period', period, 'an integer > 0 (ms)');
  if (!AUTO_SHUTDOWNS.includes(autoShutdown)) {
    throw invalid('autoShutdown', autoShutdown, AUTO_SHUTDOWNS.join(' | '));
  }
  if (strategy === 'simple_one_for_one' && autoShutdown !== 'never') {
    // OTP refuses the pair at start, as `{supervisor_data, {bad_combination, _}}`.
    throw new WardenError(
      'ERR_BAD_COMBINATION',
      `invalid supervisor flag autoShutdown: ${describeValue(autoShutdown)} cannot go with strategy 'simple_one_for_one' (bad_combination)`,
      { field: 'autoShutdown' },
    );
  }
  const backoff = input.backoff;
  if (backoff !== undefined) {
    if (!(backoff.minMs >= 0) || !Number.isFinite(backoff.minMs)) {
      throw invalid('backoff.minMs', backoff.minMs, 'a finite number >= 0');
    }
    if (!(backoff.maxMs >= backoff.minMs) || !Number.isFinite(backoff.maxMs)) {
      throw invalid('backoff.maxMs', backoff.maxMs, 'a finite number >= backoff.minMs');
    }
    if (backoff.jitter !== 'full' && backoff.jitter !== 'none') {
      throw invalid('backoff.jitter', backoff.jitter, "'full' | 'none'");
    }
    if (backoff.random !== undefined && typeof backoff.random !== 'function') {
      throw invalid('backoff.random', backoff.random, 'a function returning [0, 1)');
    }
  }
  const poison = input.poison;
  if (poison !== undefined) {
    if (!Number.isInteger(poison.threshold) || poison.threshold < 1) {
      throw invalid('poison.threshold', poison.threshold, 'an integer >= 1');
    }
    if (poison.windowMs !== undefined && !(poison.windowMs > 0)) {
      throw invalid('poison.windowMs', poison.windowMs, 'a number > 0');
    }
  }
  const meters = validateMeters(input.meters);
  return Object.freeze({ strategy, intensity, period, autoShutdown, backoff, poison, meters });
}

/** Each meter checked, named by its place (`meters[1].limit`); none (or `[]`) is `undefined`. */
function validateMeters(input: unknown): readonly MeterSpec[] | undefined {
  if (input === undefined) return undefined;
  if (!Array.isArray(input)) throw invalid('meters', input, 'an array of { name, limit, period }');
  const names = new Set<string>();
  const meters = input.map((meter: unknown, i): MeterSpec => {
    const at = `meters[${i}]`;
    if (typeof meter !== 'object' || meter === null) {
      throw invalid(at, meter, '{ name, limit, period }');
    }
    const { name, limit, period } = meter as Record<string, unknown>;
    if (typeof name !== 'string' || name.length === 0) {
      throw invalid(`${at}.name`, name, 'a non-empty string');
    }
    if (names.has(name)) throw invalid(`${at}.name`, name, 'a name no earlier meter has');
    names.add(name);
    if (typeof limit !== 'number' || !Number.isFinite(limit) || limit < 0) {
      throw invalid(`${at}.limit`, limit, 'a finite number >= 0');
    }
    if (typeof period !== 'number' || !Number.isInteger(period) || period <= 0) {
      throw invalid(`${at}.period`, period, 'an integer > 0 (ms)');
    }
    return Object.freeze({ name, limit, period });
  });
  return meters.length === 0 ? undefined : Object.freeze(meters);
}
