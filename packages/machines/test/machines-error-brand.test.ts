// MachinesError shares core's error base: `isWardenError` recognises it, also as wire data.
import { isWardenError, WardenErrorBase } from '@warden/core';
import { describe, expect, it } from 'vitest';
import { isMachinesError, MachinesError } from '../src/index.js';

describe('MachinesError as a warden error', () => {
  it("is a warden error for core's isWardenError, as an instance and as wire data", () => {
    const error = new MachinesError('ERR_BREAKER_OPEN', 'open', { retryAt: 5 });
    expect(error).toBeInstanceOf(WardenErrorBase);
    expect(isWardenError(error, 'ERR_BREAKER_OPEN')).toBe(true);
    const wire = JSON.parse(JSON.stringify(error));
    expect(isWardenError(wire, 'ERR_BREAKER_OPEN')).toBe(true);
    expect(isMachinesError(wire, 'ERR_BREAKER_OPEN')).toBe(true);
  });
});
