// WsTransportError shares core's error base: `isWardenError` recognises it, also as wire data.
import { isWardenError, WardenErrorBase } from '@warden/core';
import { describe, expect, it } from 'vitest';
import { isWsTransportError, WsTransportError } from '../src/errors.js';

describe('WsTransportError as a warden error', () => {
  it("is a warden error for core's isWardenError, as an instance and as wire data", () => {
    const error = new WsTransportError('ERR_CONNECT_TIMEOUT', 'could not connect');
    expect(error).toBeInstanceOf(WardenErrorBase);
    expect(isWardenError(error, 'ERR_CONNECT_TIMEOUT')).toBe(true);
    const wire = JSON.parse(JSON.stringify(error));
    expect(wire).toEqual({
      _tag: 'WsTransportError',
      code: 'ERR_CONNECT_TIMEOUT',
      message: 'could not connect',
    });
    expect(isWardenError(wire, 'ERR_CONNECT_TIMEOUT')).toBe(true);
    expect(isWsTransportError(wire, 'ERR_CONNECT_TIMEOUT')).toBe(true);
  });
});
