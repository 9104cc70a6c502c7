// The package's one error class: a closed code table, a guard that survives the wire.
import { isWardenError, WardenErrorBase } from '@warden/core';
import { describe, expect, it } from 'vitest';
import { isResilienceError, RESILIENCE_ERROR_CODES, ResilienceError } from '../src/index.js';

describe('ResilienceError', () => {
  it('keeps a closed table of unique codes', () => {
    expect(new Set(RESILIENCE_ERROR_CODES).size).toBe(RESILIENCE_ERROR_CODES.length);
    for (const code of RESILIENCE_ERROR_CODES) expect(code).toMatch(/^ERR_[A-Z_]+$/);
  });

  it('is recognised by its tag, also after a trip over the wire', () => {
    const error = new ResilienceError('ERR_TIMEOUT', 'slow', { attempts: 2 });
    const wire = JSON.parse(JSON.stringify(error));
    expect(wire).toEqual({ _tag: 'ResilienceError', code: 'ERR_TIMEOUT', message: 'slow' });
    expect(isResilienceError(wire)).toBe(true);
    expect(isResilienceError(wire, 'ERR_TIMEOUT')).toBe(true);
    expect(isResilienceError(wire, 'ERR_ABORTED')).toBe(false);
  });

  it('does not mistake other errors for its own', () => {
    expect(isResilienceError(new Error('x'))).toBe(false);
    expect(isResilienceError({ _tag: 'WardenError', code: 'ERR_TIMEOUT' })).toBe(false);
    expect(isResilienceError(null)).toBe(false);
  });

  it("is a warden error for core's isWardenError, as an instance and as wire data", () => {
    const error = new ResilienceError('ERR_RETRY_DEADLINE', 'late');
    expect(error).toBeInstanceOf(WardenErrorBase);
    expect(isWardenError(error, 'ERR_RETRY_DEADLINE')).toBe(true);
    expect(isWardenError(JSON.parse(JSON.stringify(error)), 'ERR_RETRY_DEADLINE')).toBe(true);
  });
});
