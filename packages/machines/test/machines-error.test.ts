// MachinesError: one tagged class with a closed code table, recognised without instanceof.
import { describe, expect, it } from 'vitest';
import { isMachinesError, MACHINES_ERROR_CODES, MachinesError } from '../src/index.js';

describe('MachinesError', () => {
  it('is recognised from its wire shape, where instanceof would fail', () => {
    const wire = JSON.parse(
      JSON.stringify(new MachinesError('ERR_BREAKER_OPEN', 'open', { retryAt: 5 })),
    );
    expect(wire).toEqual({
      _tag: 'MachinesError',
      code: 'ERR_BREAKER_OPEN',
      message: 'open',
      retryAt: 5,
    });
    expect(isMachinesError(wire)).toBe(true);
    expect(isMachinesError(wire, 'ERR_BREAKER_OPEN')).toBe(true);
    expect(isMachinesError(wire, 'ERR_BREAKER_TIMEOUT')).toBe(false);
  });

  it('revives from its wire shape with its code, field and retryAt', () => {
    const error = MachinesError.fromJSON(
      new MachinesError('ERR_INVALID_OPTION', 'bad', { field: 'x' }).toJSON(),
    );
    expect(error).toBeInstanceOf(MachinesError);
    expect(error).toMatchObject({ code: 'ERR_INVALID_OPTION', field: 'x', retryAt: undefined });
  });

  it('rejects values that only look like errors', () => {
    for (const value of [
      null,
      undefined,
      'ERR_BREAKER_OPEN',
      new Error('x'),
      { code: 'ERR_BREAKER_OPEN' },
    ]) {
      expect(isMachinesError(value)).toBe(false);
    }
  });

  it('has a closed table of distinct codes', () => {
    expect(new Set(MACHINES_ERROR_CODES).size).toBe(MACHINES_ERROR_CODES.length);
    expect(MACHINES_ERROR_CODES).toContain('ERR_BREAKER_OPEN');
  });
});
