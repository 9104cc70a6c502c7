// ModelCallError shares core's error base: `isWardenError` recognises it, also as wire data,
// while its own guard still decides by `kind`.
import { isWardenError, WardenErrorBase } from '@warden/core';
import { describe, expect, it } from 'vitest';
import { isModelCallError, ModelCallError } from '../../src/model/model-call-error.js';

describe('ModelCallError as a warden error', () => {
  it("is a warden error with code ERR_MODEL_CALL for core's isWardenError, also as wire data", () => {
    const error = new ModelCallError('overloaded', 'busy', { status: 529 });
    expect(error).toBeInstanceOf(WardenErrorBase);
    expect(isWardenError(error, 'ERR_MODEL_CALL')).toBe(true);
    const wire = JSON.parse(JSON.stringify(error));
    expect(isWardenError(wire, 'ERR_MODEL_CALL')).toBe(true);
    expect(isModelCallError(wire, 'overloaded')).toBe(true);
  });
});
