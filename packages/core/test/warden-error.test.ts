// One brand for every package's errors: `isWardenError` recognises an error of any warden
// package by its `_tag`, as an instance and as `{ _tag, code, message }` data after the wire.
import { describe, expect, it } from 'vitest';
import {
  isWardenError,
  WARDEN_ERROR_TAGS,
  WardenError,
  WardenErrorBase,
  type WardenErrorTag,
} from '../src/index.js';

/** A package's own error class, as each package declares it. */
class SomePackageError extends WardenErrorBase {
  readonly _tag = 'ResilienceError' as const;
  readonly code: 'ERR_TIMEOUT';
  constructor(message: string) {
    super(message);
    this.name = 'SomePackageError';
    this.code = 'ERR_TIMEOUT';
  }
}

describe('isWardenError', () => {
  it("recognises the core's errors, as instances and after a trip over the wire", () => {
    const error = new WardenError('ERR_NOPROC', 'no such process');
    expect(error).toBeInstanceOf(WardenErrorBase);
    expect(isWardenError(error)).toBe(true);
    expect(isWardenError(error, 'ERR_NOPROC')).toBe(true);
    expect(isWardenError(error, 'ERR_EXIT')).toBe(false);
    const wire = JSON.parse(JSON.stringify(error));
    expect(wire).toEqual({ _tag: 'WardenError', code: 'ERR_NOPROC', message: 'no such process' });
    expect(isWardenError(wire, 'ERR_NOPROC')).toBe(true);
    expect(isWardenError(structuredClone(error.toJSON()))).toBe(true);
  });

  it('recognises an error of every package by its tag, also as wire data', () => {
    const error = new SomePackageError('slow');
    expect(isWardenError(error, 'ERR_TIMEOUT')).toBe(true);
    expect(error.toJSON()).toEqual({
      _tag: 'ResilienceError',
      code: 'ERR_TIMEOUT',
      message: 'slow',
    });
    for (const tag of WARDEN_ERROR_TAGS) {
      expect(isWardenError({ _tag: tag, code: 'ERR_SOMETHING', message: 'm' })).toBe(true);
    }
  });

  it('matches a code whichever package raised it', () => {
    const coreAbort = new WardenError('ERR_ABORTED', 'aborted');
    const otherAbort = { _tag: 'ResilienceError', code: 'ERR_ABORTED', message: 'aborted' };
    expect(isWardenError(coreAbort, 'ERR_ABORTED')).toBe(true);
    expect(isWardenError(otherAbort, 'ERR_ABORTED')).toBe(true);
  });

  it('rejects foreign errors, unknown tags and malformed data', () => {
    expect(isWardenError(new Error('x'))).toBe(false);
    expect(isWardenError({ _tag: 'HttpError', code: 'ERR_X', message: 'm' })).toBe(false);
    expect(isWardenError({ _tag: 'WardenError' as WardenErrorTag, message: 'm' })).toBe(false);
    expect(isWardenError({ _tag: 'WardenError', code: 'ERR_NOPROC' })).toBe(false);
    expect(isWardenError({ _tag: 'WardenError', code: 42, message: 'm' })).toBe(false);
    expect(isWardenError(null)).toBe(false);
    expect(isWardenError('ERR_NOPROC')).toBe(false);
  });
});
