import type { OptionChecks } from './option-checks.js';

/**
 * How a delay spreads below its exponential ceiling `c(n) = min(maxMs, initialMs * factor^(n-1))`
 * (the AWS Architecture Blog's "Exponential Backoff And Jitter" names the first four):
 *
 * - `none`: exactly `c(n)`. Clients cut off together come back in lock-step: avoid under load.
 * - `full`: uniform in `[0, c(n))`. The least total work for a contended resource.
 * - `equal`: `c(n)/2` plus uniform in `[0, c(n)/2)`. Never comes back almost at once.
 * - `decorrelated`: uniform in `[initialMs, 3 * previous)`, capped at `maxMs`; grows from the
 *   previous delay rather than from the attempt number.
 * - a number `r` in [0, 1]: `c(n)` shortened by up to the share `r`, i.e. in `(c(n) * (1 - r),
 *   c(n)]`. A near-fixed timeout that still spreads a herd (a breaker's open time, a redial).
 */
export type Jitter = 'none' | 'full' | 'equal' | 'decorrelated' | number;

export const JITTERS: readonly Exclude<Jitter, number>[] = [
  'none',
  'full',
  'equal',
  'decorrelated',
];

/**
 * Capped exponential backoff, in milliseconds on the node's clock: validated plain data (see
 * `backoffOptions`). Attempts count from 1: the first retry, restart or re-open waits about
 * `initialMs`.
 */
export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Growth per attempt; `1` keeps the delay fixed, `2` doubles it. */
  readonly factor: number;
  readonly jitter: Jitter;
}

export const DEFAULT_BACKOFF: Backoff = Object.freeze({
  initialMs: 100,
  maxMs: 30_000,
  factor: 2,
  jitter: 'full',
});

/** Beyond this exponent every ceiling is long capped; it keeps `factor ** n` finite. */
const MAX_EXPONENT = 1024;

/** The exponential ceiling of the `attempt`-th delay (attempt >= 1; lower counts as 1). */
export function backoffCeiling(attempt: number, backoff: Backoff): number {
  const { initialMs, maxMs, factor } = backoff;
  if (initialMs === 0) return 0;
  const exponent = Math.min(MAX_EXPONENT, Math.max(0, Math.floor(attempt) - 1));
  return Math.min(maxMs, initialMs * factor ** exponent);
}

/**
 * The delay before the `attempt`-th attempt (1-based), in whole milliseconds within
 * `[0, maxMs]`. Pure: `random` (in [0, 1)) is the only source of chance, so a seeded source
 * replays the same delays; `previousMs` (the previous delay, `initialMs` for the first) is read
 * by decorrelated jitter only.
 */
export function backoffDelay(
  attempt: number,
  backoff: Backoff,
  random: number,
  previousMs: number = backoff.initialMs,
): number {
  const { jitter } = backoff;
  if (jitter === 'decorrelated') {
    const low = Math.min(backoff.initialMs, backoff.maxMs);
    const high = Math.max(low, Math.min(backoff.maxMs, previousMs * 3));
    return Math.floor(Math.min(backoff.maxMs, low + random * (high - low)));
  }
  const ceiling = backoffCeiling(attempt, backoff);
  switch (jitter) {
    case 'none':
      return Math.floor(ceiling);
    case 'full':
      return Math.floor(random * ceiling);
    case 'equal':
      return Math.floor(ceiling / 2 + (random * ceiling) / 2);
    default:
      return Math.floor(ceiling * (1 - jitter * random));
  }
}

/** What users write: every field may be left out and takes its default. */
export type BackoffOptions = { readonly [K in keyof Backoff]?: Backoff[K] | undefined };

/** How a package names the fields in its errors (`baseMs` for `initialMs`, say). */
export type BackoffFields = { readonly [K in keyof Backoff]?: string };

/**
 * Validates backoff options once, filling `defaults`. The package's `checks` raise its own error
 * code and name each bad field as the package calls it (`fields`), so a user reads back what
 * they wrote.
 */
export function backoffOptions(
  input: BackoffOptions,
  checks: OptionChecks,
  defaults: Backoff = DEFAULT_BACKOFF,
  fields: BackoffFields = {},
): Backoff {
  const name = (key: keyof Backoff): string => fields[key] ?? key;
  const initialMs = checks.number(name('initialMs'), input.initialMs ?? defaults.initialMs, 0);
  const maxMs = checks.number(name('maxMs'), input.maxMs ?? defaults.maxMs, 0);
  if (maxMs < initialMs) {
    throw checks.invalid(name('maxMs'), maxMs, `a number >= ${name('initialMs')} (${initialMs})`);
  }
  const factor = checks.number(name('factor'), input.factor ?? defaults.factor, 1);
  const jitter = input.jitter ?? defaults.jitter;
  const ok = typeof jitter === 'number' ? jitter >= 0 && jitter <= 1 : JITTERS.includes(jitter);
  if (!ok) {
    const expected = `${JITTERS.map((j) => `'${j}'`).join(' | ')} | a number in [0, 1]`;
    throw checks.invalid(name('jitter'), jitter, expected);
  }
  return Object.freeze({ initialMs, maxMs, factor, jitter });
}
