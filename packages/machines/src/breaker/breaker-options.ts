import { backoffOptions, type Clock } from '@warden/core';
import { invalidOption } from '../errors.js';
import {
  checks,
  finiteAtLeast,
  finitePositive,
  integerAtLeast,
  optionalFunction,
  plainObject,
  rate,
} from '../internal/checks.js';
import type { BreakerEvent } from './breaker-events.js';
import { OPEN_TIMEOUT_FIELDS, openBackoff } from './open-backoff.js';

/**
 * When a closed breaker trips:
 * - `consecutive`: after `threshold` failures in a row;
 * - `count-window`: over the last `size` calls, once at least `minimumCalls` were seen, when
 *   `failures / calls >= rate`;
 * - `time-window`: the same over the last `windowMs` of the node clock, kept in `buckets` slices.
 */
export type FailurePolicy =
  | { readonly kind: 'consecutive'; readonly threshold: number }
  | {
      readonly kind: 'count-window';
      readonly size: number;
      readonly rate: number;
      readonly minimumCalls: number;
    }
  | {
      readonly kind: 'time-window';
      readonly windowMs: number;
      readonly buckets: number;
      readonly rate: number;
      readonly minimumCalls: number;
    };

/** How long the breaker stays open: `initialMs * multiplier ** level`, capped, minus jitter. */
export interface OpenTimeout {
  readonly initialMs: number;
  readonly maxMs: number;
  /** `1` keeps the timeout fixed; `2` doubles it on every re-open. */
  readonly multiplier: number;
  /** Fraction in [0, 1): each timeout is shortened by up to this share, at random. */
  readonly jitter: number;
  /** A breaker closed this long forgets its re-opens: the next trip waits `initialMs` again. */
  readonly resetAfterMs: number;
}

/** The validated, immutable rules of a breaker: plain data, shared by the class and the machine. */
export interface BreakerPolicy {
  readonly failure: FailurePolicy;
  /** Trial calls let through in half-open. */
  readonly trialCalls: number;
  /** Trial successes that close the breaker (at most `trialCalls`). */
  readonly successesToClose: number;
  readonly openTimeout: OpenTimeout;
  /** Calls slower than this fail (and are aborted); `undefined`: no call timeout. */
  readonly callTimeoutMs: number | undefined;
}

type Partial2<T> = { readonly [K in keyof T]?: T[K] | undefined };

/** What users write; every field has a default (`DEFAULT_BREAKER`). */
export interface BreakerPolicyOptions {
  readonly failure?:
    | Partial2<Extract<FailurePolicy, { kind: 'consecutive' }>>
    | (Partial2<Extract<FailurePolicy, { kind: 'count-window' }>> & { kind: 'count-window' })
    | (Partial2<Extract<FailurePolicy, { kind: 'time-window' }>> & { kind: 'time-window' });
  readonly halfOpen?: { readonly trialCalls?: number; readonly successesToClose?: number };
  readonly openTimeout?: Partial2<OpenTimeout>;
  readonly callTimeoutMs?: number | undefined;
}

export interface BreakerOptions extends BreakerPolicyOptions {
  /** Names the protected dependency in events. */
  readonly name?: string;
  /** The node's clock (`node.clock`, `ctx.node.clock`); default: the system clock. */
  readonly clock?: Clock;
  /** Which errors count as failures; default: every error. Others count as successes. */
  readonly isFailure?: (error: unknown) => boolean;
  /** Receives every decision: trip, half-open, close, reject, isolate, reset. */
  readonly onEvent?: (event: BreakerEvent) => void;
  /** Seeds the jitter's random sequence (deterministic tests); default: random. */
  readonly seed?: number;
  /**
   * The breaker stops when this aborts (pass `node.signal`): its open timer is cleared, so it
   * keeps no process alive, and it reports no event and no state change any more.
   */
  readonly signal?: AbortSignal;
}

/** Every default, declared once. */
export const DEFAULT_BREAKER = Object.freeze({
  consecutive: Object.freeze({ kind: 'consecutive', threshold: 5 }),
  countWindow: Object.freeze({ kind: 'count-window', size: 20, rate: 0.5, minimumCalls: 10 }),
  timeWindow: Object.freeze({
    kind: 'time-window',
    windowMs: 60_000,
    buckets: 10,
    rate: 0.5,
    minimumCalls: 10,
  }),
  trialCalls: 1,
  openTimeout: Object.freeze({
    initialMs: 10_000,
    maxMs: 300_000,
    multiplier: 2,
    jitter: 0,
    resetAfterMs: 60_000,
  }),
  callTimeoutMs: undefined,
} as const);

/** Validates the policy part of the options, throwing `ERR_INVALID_OPTION` naming the field. */
export function breakerPolicy(options: BreakerPolicyOptions = {}): BreakerPolicy {
  plainObject('options', options);
  const failure = failurePolicy(options.failure);
  const half = options.halfOpen === undefined ? {} : plainObject('halfOpen', options.halfOpen);
  const trialCalls = integerAtLeast(
    'halfOpen.trialCalls',
    half.trialCalls ?? DEFAULT_BREAKER.trialCalls,
    1,
  );
  const successesToClose = integerAtLeast(
    'halfOpen.successesToClose',
    half.successesToClose ?? trialCalls,
    1,
  );
  if (successesToClose > trialCalls) {
    throw invalidOption(
      'halfOpen.successesToClose',
      successesToClose,
      `<= trialCalls (${trialCalls})`,
    );
  }
  const callTimeoutMs =
    options.callTimeoutMs === undefined
      ? DEFAULT_BREAKER.callTimeoutMs
      : finitePositive('callTimeoutMs', options.callTimeoutMs);
  return Object.freeze({
    failure,
    trialCalls,
    successesToClose,
    openTimeout: openTimeout(options.openTimeout),
    callTimeoutMs,
  });
}

function failurePolicy(input: BreakerPolicyOptions['failure']): FailurePolicy {
  if (input === undefined) return DEFAULT_BREAKER.consecutive;
  const o = plainObject('failure', input);
  const kind = o.kind ?? 'consecutive';
  if (kind === 'consecutive') {
    const d = DEFAULT_BREAKER.consecutive;
    return Object.freeze({
      kind,
      threshold: integerAtLeast('failure.threshold', o.threshold ?? d.threshold, 1),
    });
  }
  if (kind === 'count-window') {
    const d = DEFAULT_BREAKER.countWindow;
    const size = integerAtLeast('failure.size', o.size ?? d.size, 1);
    const minimumCalls = integerAtLeast(
      'failure.minimumCalls',
      o.minimumCalls ?? Math.min(d.minimumCalls, size),
      1,
    );
    if (minimumCalls > size)
      throw invalidOption('failure.minimumCalls', minimumCalls, `<= size (${size})`);
    return Object.freeze({
      kind,
      size,
      rate: rate('failure.rate', o.rate ?? d.rate),
      minimumCalls,
    });
  }
  if (kind === 'time-window') {
    const d = DEFAULT_BREAKER.timeWindow;
    return Object.freeze({
      kind,
      windowMs: finitePositive('failure.windowMs', o.windowMs ?? d.windowMs),
      buckets: integerAtLeast('failure.buckets', o.buckets ?? d.buckets, 1),
      rate: rate('failure.rate', o.rate ?? d.rate),
      minimumCalls: integerAtLeast('failure.minimumCalls', o.minimumCalls ?? d.minimumCalls, 1),
    });
  }
  throw invalidOption('failure.kind', kind, "'consecutive' | 'count-window' | 'time-window'");
}

function openTimeout(input: Partial2<OpenTimeout> | undefined): OpenTimeout {
  const d = DEFAULT_BREAKER.openTimeout;
  if (input === undefined) return d;
  const o = plainObject('openTimeout', input);
  // A breaker's own rules on top of the shared backoff's: it stays open for some time, always.
  const initialMs = finitePositive('openTimeout.initialMs', o.initialMs ?? d.initialMs);
  const jitter = o.jitter ?? d.jitter;
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter < 1)) {
    throw invalidOption('openTimeout.jitter', jitter, 'a number in [0, 1)');
  }
  const backoff = backoffOptions(
    {
      initialMs,
      maxMs: (o.maxMs as number | undefined) ?? Math.max(d.maxMs, initialMs),
      factor: o.multiplier as number | undefined,
      jitter,
    },
    checks,
    openBackoff(d),
    OPEN_TIMEOUT_FIELDS,
  );
  const resetAfterMs = finiteAtLeast(
    'openTimeout.resetAfterMs',
    o.resetAfterMs ?? d.resetAfterMs,
    0,
  );
  return Object.freeze({
    initialMs,
    maxMs: backoff.maxMs,
    multiplier: backoff.factor,
    jitter,
    resetAfterMs,
  });
}

/** The runtime part of the options: validated apart so a breaker actor can check them eagerly. */
export function validateBreakerOptions(options: BreakerOptions = {}): BreakerPolicy {
  const policy = breakerPolicy(options);
  if (options.name !== undefined && typeof options.name !== 'string') {
    throw invalidOption('name', options.name, 'a string');
  }
  if (options.clock !== undefined) checks.clock('clock', options.clock);
  checks.signal('signal', options.signal);
  optionalFunction('isFailure', options.isFailure);
  optionalFunction('onEvent', options.onEvent);
  if (options.seed !== undefined && !Number.isFinite(options.seed)) {
    throw invalidOption('seed', options.seed, 'a finite number');
  }
  return policy;
}
