// Issue 5.1: which failures are transient, and Retry-After in both of its forms.
import { describe, expect, it } from 'vitest';
import { classifyError, parseRetryAfter, ResilienceError } from '../src/index.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const http = (status: number, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`HTTP ${status}`), { status, headers });
const sys = (code: string) => Object.assign(new Error(code), { code });

describe('parseRetryAfter', () => {
  it('reads delay-seconds as milliseconds', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(3, NOW)).toBe(3000);
  });

  it('reads an HTTP date relative to now, and a past date as zero', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', NOW)).toBe(0);
  });

  it('ignores malformed values rather than blocking a retry', () => {
    for (const v of ['', 'soon', '-5', '1e3', undefined, null, {}]) {
      expect(parseRetryAfter(v, NOW)).toBeUndefined();
    }
  });
});

describe('classifyError', () => {
  it('treats 408, 429 and every 5xx as transient', () => {
    for (const s of [408, 429, 500, 502, 503, 504, 599]) {
      expect(classifyError(http(s), NOW).transient, String(s)).toBe(true);
    }
  });

  it('treats the other 4xx as permanent', () => {
    for (const s of [400, 401, 403, 404, 409, 422]) {
      expect(classifyError(http(s), NOW).transient, String(s)).toBe(false);
    }
  });

  it('finds the status on a response object (axios shape)', () => {
    const e = Object.assign(new Error('x'), { response: { status: 503, headers: {} } });
    expect(classifyError(e, NOW).transient).toBe(true);
  });

  it('treats connection resets and timeouts as transient, also on the cause (fetch shape)', () => {
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNREFUSED', 'EAI_AGAIN']) {
      expect(classifyError(sys(code), NOW).transient, code).toBe(true);
    }
    const fetchFailed = new TypeError('fetch failed', { cause: sys('ECONNRESET') });
    expect(classifyError(fetchFailed, NOW).transient).toBe(true);
    expect(classifyError(new ResilienceError('ERR_TIMEOUT', 't'), NOW).transient).toBe(true);
    const domTimeout = Object.assign(new Error('t'), { name: 'TimeoutError' });
    expect(classifyError(domTimeout, NOW).transient).toBe(true);
  });

  it('treats unknown errors and aborts as permanent', () => {
    expect(classifyError(new Error('bug'), NOW).transient).toBe(false);
    expect(classifyError(new ResilienceError('ERR_ABORTED', 'a'), NOW).transient).toBe(false);
    expect(classifyError('string', NOW).transient).toBe(false);
  });

  it('reports Retry-After from the headers, in seconds or as a date, whatever the case', () => {
    expect(classifyError(http(429, { 'Retry-After': '7' }), NOW)).toEqual({
      transient: true,
      retryAfterMs: 7000,
    });
    const headers = new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:01:00 GMT' });
    const e = Object.assign(new Error('x'), { status: 503, headers });
    expect(classifyError(e, NOW).retryAfterMs).toBe(60_000);
  });
});
