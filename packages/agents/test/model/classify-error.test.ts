import { describe, expect, it } from 'vitest';
import {
  classifyFetchFailure,
  classifyHttpError,
  isModelCallError,
  type ModelErrorKind,
  readErrorBody,
  retryAfterFromHeaders,
} from '../../src/index.js';
import { fixture } from './stub-server.js';

const NOW = Date.parse('Sun, 06 Dec 2026 21:00:00 GMT');

/** status, recorded body, expected kind, expected provider code. */
const CASES: readonly [number, string, ModelErrorKind, string | undefined][] = [
  [429, 'openai-429-rate-limit.json', 'rate_limited', 'rate_limit_exceeded'],
  [429, 'openai-429-insufficient-quota.json', 'quota_exhausted', 'insufficient_quota'],
  [429, 'openai-429-insufficient-quota-null-code.json', 'quota_exhausted', 'insufficient_quota'],
  [429, 'openai-429-spend-limit.json', 'quota_exhausted', 'project_spend_limit_exceeded'],
  [400, 'openai-400-context-length.json', 'context_length', 'context_length_exceeded'],
  [400, 'openai-400-context-length-no-code.json', 'context_length', 'invalid_request_error'],
  [400, 'openai-400-bad-request.json', 'bad_request', 'invalid_value'],
  [401, 'openai-401-invalid-key.json', 'auth', 'invalid_api_key'],
  [500, 'openai-500-server.json', 'server', 'server_error'],
  [503, 'openai-503-overloaded.json', 'overloaded', 'server_error'],
  [400, 'azure-400-content-filter.json', 'content_filter', 'ResponsibleAIPolicyViolation'],
  [529, 'anthropic-529-overloaded.json', 'overloaded', 'overloaded_error'],
  [429, 'anthropic-429-rate-limit.json', 'rate_limited', 'rate_limit_error'],
  [429, 'anthropic-429-spend-limit.json', 'quota_exhausted', 'enforced_spend_limit_reached'],
  [400, 'anthropic-400-prompt-too-long.json', 'context_length', 'invalid_request_error'],
  [400, 'anthropic-400-context-limit.json', 'context_length', 'invalid_request_error'],
  [400, 'anthropic-400-credit-balance.json', 'quota_exhausted', 'invalid_request_error'],
  [400, 'anthropic-400-bad-request.json', 'bad_request', 'invalid_request_error'],
  [401, 'anthropic-401-authentication.json', 'auth', 'authentication_error'],
  [403, 'anthropic-403-permission.json', 'auth', 'permission_error'],
  [500, 'anthropic-500-api-error.json', 'server', 'api_error'],
  [413, 'anthropic-413-request-too-large.json', 'context_length', 'request_too_large'],
  [502, 'html-502-page.txt', 'server', undefined],
];

describe('classifyHttpError: recorded provider bodies', () => {
  for (const [status, name, kind, providerCode] of CASES) {
    it(`classifies ${status} ${name} as ${kind}`, () => {
      const error = classifyHttpError({
        provider: 'p',
        model: 'm',
        status,
        body: fixture(name),
        now: NOW,
      });
      expect(isModelCallError(error, kind)).toBe(true);
      expect(error.status).toBe(status);
      expect(error.providerCode).toBe(providerCode);
      expect(error.provider).toBe('p');
      expect(error.model).toBe('m');
    });
  }

  it('reads an already parsed body the same as its text', () => {
    const text = fixture('openai-429-insufficient-quota.json');
    const parsed = classifyHttpError({ status: 429, body: JSON.parse(text), now: NOW });
    expect(parsed.kind).toBe('quota_exhausted');
  });

  it('marks the transient kinds retryable and the final ones not', () => {
    const kindOf = (status: number, name: string) =>
      classifyHttpError({ status, body: fixture(name), now: NOW });
    expect(kindOf(429, 'openai-429-rate-limit.json').retryable).toBe(true);
    expect(kindOf(529, 'anthropic-529-overloaded.json').retryable).toBe(true);
    expect(kindOf(429, 'openai-429-insufficient-quota.json').retryable).toBe(false);
    expect(kindOf(401, 'openai-401-invalid-key.json').retryable).toBe(false);
    expect(kindOf(400, 'openai-400-context-length.json').retryable).toBe(false);
  });

  it('classifies a spent allowance on a 403 and any 402 as quota_exhausted', () => {
    const billing = { error: { message: 'You have reached your specified API usage limits.' } };
    expect(classifyHttpError({ status: 403, body: billing, now: NOW }).kind).toBe(
      'quota_exhausted',
    );
    expect(classifyHttpError({ status: 402, body: '', now: NOW }).kind).toBe('quota_exhausted');
    const payment = {
      type: 'error',
      error: { type: 'billing_error', message: 'Payment required' },
    };
    expect(classifyHttpError({ status: 402, body: payment, now: NOW }).providerCode).toBe(
      'billing_error',
    );
  });

  it('classifies by status alone when the body says nothing', () => {
    const kinds = [400, 401, 403, 404, 408, 409, 422, 429, 500, 502, 503, 504, 529].map(
      (status) => classifyHttpError({ status, body: '', now: NOW }).kind,
    );
    expect(kinds).toEqual([
      'bad_request',
      'auth',
      'auth',
      'bad_request',
      'timeout',
      'unknown',
      'bad_request',
      'rate_limited',
      'server',
      'server',
      'overloaded',
      'server',
      'overloaded',
    ]);
  });

  it('classifies an error inside a 200 stream by its type', () => {
    const error = classifyHttpError({
      provider: 'anthropic',
      body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    });
    expect(error.kind).toBe('overloaded');
    expect(error.status).toBeUndefined();
    expect(
      classifyHttpError({ body: { error: { message: '?', type: 'server_error' } } }).kind,
    ).toBe('server');
    expect(classifyHttpError({ body: { error: { message: 'odd' } } }).kind).toBe('unknown');
  });

  it('lets x-should-retry: false make a transient kind final, and ignores true on a final kind', () => {
    const veto = classifyHttpError({
      status: 500,
      headers: { 'x-should-retry': 'false' },
      now: NOW,
    });
    expect(veto.kind).toBe('server');
    expect(veto.retryable).toBe(false);
    const push = classifyHttpError({
      status: 429,
      headers: { 'x-should-retry': 'true' },
      body: fixture('openai-429-insufficient-quota.json'),
      now: NOW,
    });
    expect(push.retryable).toBe(false);
  });

  it('keeps an HTML page as a short plain message', () => {
    const error = classifyHttpError({
      provider: 'openai',
      status: 502,
      body: fixture('html-502-page.txt'),
    });
    expect(error.message).toBe('openai: HTTP 502: 502 Bad Gateway 502 Bad Gateway cloudflare');
    expect(readErrorBody('x'.repeat(1000)).message?.length).toBe(300);
  });
});

describe('Retry-After', () => {
  it('prefers retry-after-ms to Retry-After', () => {
    const headers = new Headers({ 'retry-after-ms': '1250', 'retry-after': '20' });
    expect(retryAfterFromHeaders(headers, NOW)).toBe(1250);
    const error = classifyHttpError({ status: 429, headers, now: NOW });
    expect(error.retryAfterMs).toBe(1250);
  });

  it('reads delay-seconds, also fractional', () => {
    expect(retryAfterFromHeaders({ 'Retry-After': '20' }, NOW)).toBe(20_000);
    expect(retryAfterFromHeaders({ 'retry-after': '1.5' }, NOW)).toBe(1500);
  });

  it('measures an HTTP date against the response Date header when there is one', () => {
    const headers = {
      date: 'Sun, 06 Dec 2026 10:00:00 GMT',
      'retry-after': 'Sun, 06 Dec 2026 10:00:30 GMT',
    };
    expect(retryAfterFromHeaders(headers, NOW)).toBe(30_000);
  });

  it('measures an HTTP date against now otherwise, and a past date means no wait', () => {
    expect(retryAfterFromHeaders({ 'retry-after': 'Sun, 06 Dec 2026 21:00:45 GMT' }, NOW)).toBe(
      45_000,
    );
    expect(retryAfterFromHeaders({ 'retry-after': 'Sun, 06 Dec 2026 20:00:00 GMT' }, NOW)).toBe(0);
  });

  it('ignores malformed values', () => {
    expect(retryAfterFromHeaders({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
    expect(retryAfterFromHeaders({ 'retry-after-ms': '-5' }, NOW)).toBeUndefined();
    expect(retryAfterFromHeaders({ 'retry-after': '-5' }, NOW)).toBeUndefined();
    expect(retryAfterFromHeaders(undefined, NOW)).toBeUndefined();
  });
});

describe('classifyFetchFailure', () => {
  it('classifies fetch failures with a socket or DNS code as network', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET']) {
      const error = new TypeError('fetch failed', {
        cause: Object.assign(new Error(code), { code }),
      });
      expect(classifyFetchFailure(error).kind).toBe('network');
    }
    expect(classifyFetchFailure(new Error('socket hang up')).kind).toBe('network');
    expect(classifyFetchFailure(new TypeError('terminated')).kind).toBe('network');
  });

  it('classifies anything else as unknown, keeping the cause', () => {
    const cause = new RangeError('odd');
    const error = classifyFetchFailure(cause, { provider: 'openai', model: 'm' });
    expect(error.kind).toBe('unknown');
    expect(error.cause).toBe(cause);
    expect(error.provider).toBe('openai');
  });
});
