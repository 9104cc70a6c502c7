// Bad input: every invalid breaker option is a typed ERR_INVALID_OPTION naming its field,
// whether given to the class, the actor or the machine's policy.
import { describe, expect, it } from 'vitest';
import {
  type BreakerOptions,
  breakerActor,
  breakerPolicy,
  CircuitBreaker,
  DEFAULT_BREAKER,
  isMachinesError,
} from '../src/index.js';

const cases: [field: string, options: unknown][] = [
  ['failure.threshold', { failure: { threshold: 0 } }],
  ['failure.threshold', { failure: { threshold: -3 } }],
  ['failure.threshold', { failure: { threshold: 1.5 } }],
  ['failure.threshold', { failure: { threshold: Number.NaN } }],
  ['failure.kind', { failure: { kind: 'sometimes' } }],
  ['failure.size', { failure: { kind: 'count-window', size: 0 } }],
  ['failure.size', { failure: { kind: 'count-window', size: Number.POSITIVE_INFINITY } }],
  ['failure.minimumCalls', { failure: { kind: 'count-window', size: 5, minimumCalls: 6 } }],
  ['failure.minimumCalls', { failure: { kind: 'time-window', minimumCalls: 0 } }],
  ['failure.rate', { failure: { kind: 'count-window', rate: 0 } }],
  ['failure.rate', { failure: { kind: 'count-window', rate: 1.5 } }],
  ['failure.rate', { failure: { kind: 'time-window', rate: Number.NaN } }],
  ['failure.windowMs', { failure: { kind: 'time-window', windowMs: 0 } }],
  ['failure.windowMs', { failure: { kind: 'time-window', windowMs: Number.NaN } }],
  ['failure.buckets', { failure: { kind: 'time-window', buckets: 0 } }],
  ['halfOpen.trialCalls', { halfOpen: { trialCalls: 0 } }],
  ['halfOpen.trialCalls', { halfOpen: { trialCalls: -1 } }],
  ['halfOpen.successesToClose', { halfOpen: { trialCalls: 2, successesToClose: 3 } }],
  ['halfOpen.successesToClose', { halfOpen: { successesToClose: 0 } }],
  ['openTimeout.initialMs', { openTimeout: { initialMs: Number.NaN } }],
  ['openTimeout.initialMs', { openTimeout: { initialMs: 0 } }],
  ['openTimeout.maxMs', { openTimeout: { initialMs: 1000, maxMs: 999 } }],
  ['openTimeout.multiplier', { openTimeout: { multiplier: 0.5 } }],
  ['openTimeout.jitter', { openTimeout: { jitter: 1 } }],
  ['openTimeout.jitter', { openTimeout: { jitter: -0.1 } }],
  ['openTimeout.resetAfterMs', { openTimeout: { resetAfterMs: Number.NaN } }],
  ['callTimeoutMs', { callTimeoutMs: Number.NaN }],
  ['callTimeoutMs', { callTimeoutMs: 0 }],
  ['callTimeoutMs', { callTimeoutMs: Number.POSITIVE_INFINITY }],
  ['failure', { failure: 5 }],
  ['options', null],
];

const runtimeCases: [field: string, options: unknown][] = [
  ['clock', { clock: { now: () => 0 } }],
  ['isFailure', { isFailure: true }],
  ['onEvent', { onEvent: 'log' }],
  ['seed', { seed: Number.NaN }],
  ['name', { name: 7 }],
];

function fieldOf(make: () => unknown): string | undefined {
  try {
    make();
  } catch (error) {
    expect(isMachinesError(error, 'ERR_INVALID_OPTION')).toBe(true);
    return (error as { field: string }).field;
  }
  return undefined;
}

describe('breaker options validation', () => {
  it.each(cases)('rejects a bad %s with ERR_INVALID_OPTION naming it (%j)', (field, options) => {
    expect(fieldOf(() => breakerPolicy(options as BreakerOptions))).toBe(field);
    expect(fieldOf(() => new CircuitBreaker(options as BreakerOptions))).toBe(field);
    expect(fieldOf(() => breakerActor(options as BreakerOptions))).toBe(field);
  });

  it.each(runtimeCases)('rejects a bad runtime option %s (%j)', (field, options) => {
    expect(fieldOf(() => new CircuitBreaker(options as BreakerOptions))).toBe(field);
  });

  it('says which value was wrong and what was expected', () => {
    expect(() => new CircuitBreaker({ failure: { threshold: 0 } })).toThrow(
      'invalid failure.threshold: 0 (expected an integer >= 1)',
    );
  });

  it('fills every omitted option from DEFAULT_BREAKER', () => {
    expect(breakerPolicy()).toEqual({
      failure: DEFAULT_BREAKER.consecutive,
      trialCalls: 1,
      successesToClose: 1,
      openTimeout: DEFAULT_BREAKER.openTimeout,
      callTimeoutMs: undefined,
    });
    expect(breakerPolicy({ failure: { kind: 'time-window' } }).failure).toEqual(
      DEFAULT_BREAKER.timeWindow,
    );
  });
});
