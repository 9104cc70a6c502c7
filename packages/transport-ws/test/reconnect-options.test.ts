// The transport's reconnect backoff is validated once by core's shared backoffOptions and
// checks: a bad field is named as the user wrote it, with the transport's ERR_INVALID_OPTION.
import { describe, expect, it } from 'vitest';
import { isWsTransportError } from '../src/errors.js';
import { DEFAULTS, resolveOptions } from '../src/options.js';
import { identityOf } from './credentials.js';

const secret = 'x'.repeat(32);
const identity = identityOf('a');

function fieldOf(reconnect: unknown): unknown {
  try {
    resolveOptions({ secret, identity, reconnect } as never);
  } catch (error) {
    expect(isWsTransportError(error, 'ERR_INVALID_OPTION')).toBe(true);
    return (error as { field?: unknown }).field;
  }
  return undefined;
}

describe('reconnect options', () => {
  it('fill their defaults', () => {
    expect(resolveOptions({ secret, identity }).reconnect).toEqual(DEFAULTS.reconnect);
  });

  it('raise the cap to a larger initial delay when no cap is given', () => {
    expect(resolveOptions({ secret, identity, reconnect: { initial: 20_000 } }).reconnect.max).toBe(
      20_000,
    );
  });

  it.each([
    ['reconnect', 'fast'],
    ['reconnect.initial', { initial: 0 }],
    ['reconnect.max', { initial: 500, max: 100 }],
    ['reconnect.factor', { factor: 0.5 }],
    ['reconnect.jitter', { jitter: 1 }],
    ['reconnect.jitter', { jitter: 'full' }],
  ])('name a bad %s', (field, reconnect) => {
    expect(fieldOf(reconnect)).toBe(field);
  });
});
