import { type Clock, describeValue, WardenError } from '@warden/core';
import { SSE_DEFAULTS } from './sse.js';

/** What every fetch-based client takes. Validated once, when the client is created. */
export interface HttpClientOptions {
  /** The API root, up to and including the version (`https://api.openai.com/v1`). */
  readonly baseUrl?: string;
  readonly apiKey: string;
  readonly model: string;
  /** The node's clock: every deadline runs on it. */
  readonly clock: Clock;
  /** The deadline of one call, headers and whole body or stream included. */
  readonly timeoutMs?: number;
  /** Streams: the longest silence allowed between two chunks once the response has begun. */
  readonly idleTimeoutMs?: number;
  /** Extra request headers (an organisation, a gateway's key); they override the defaults. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The fetch to use; Node's global fetch by default. */
  readonly fetch?: typeof fetch;
  /** Wall time in ms since the epoch, for a `Retry-After` date when the response has no `Date`. */
  readonly wallClock?: () => number;
  /** The name errors and responses carry (`'groq'` for an OpenAI-compatible server, say). */
  readonly provider?: string;
  /** Bound on a whole non-streamed response body, in bytes. */
  readonly maxResponseBytes?: number;
  /** Bound on one server-sent event, in characters. */
  readonly maxEventLength?: number;
}

/** The defaults, declared once. */
export const HTTP_CLIENT_DEFAULTS = Object.freeze({
  /** Ten minutes: long answers from slow models finish; a hung call does not hold an agent. */
  timeoutMs: 600_000,
  /** Five minutes: a reasoning model may think that long before its first token. */
  idleTimeoutMs: 300_000,
  maxResponseBytes: 32 * 1024 * 1024,
  maxEventLength: SSE_DEFAULTS.maxEventLength,
  /** Error bodies are read up to this many bytes; the rest is dropped. */
  maxErrorBodyBytes: 64 * 1024,
});

export interface ResolvedHttpClientOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly model: string;
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly fetch: typeof fetch;
  readonly wallClock: () => number;
  readonly provider: string;
  readonly maxResponseBytes: number;
  readonly maxEventLength: number;
}

/** `ERR_INVALID_ARGUMENT` naming the field, the value and what was expected. */
export function invalidOption(field: string, value: unknown, expected: string): WardenError {
  return new WardenError(
    'ERR_INVALID_ARGUMENT',
    `invalid ${field}: ${describeValue(value)} (expected ${expected})`,
    { field },
  );
}

function positive(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalidOption(field, value, 'a finite number > 0');
  }
  return value;
}

function nonEmpty(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw invalidOption(field, value, 'a non-empty string');
  return value;
}

/** Checks the options and fills in the defaults; throws `ERR_INVALID_ARGUMENT` naming the field. */
export function resolveHttpClientOptions(
  options: HttpClientOptions,
  defaults: { readonly baseUrl: string; readonly provider: string },
): ResolvedHttpClientOptions {
  if (typeof options !== 'object' || options === null)
    throw invalidOption('options', options, 'an object');
  const clock = options.clock;
  if (typeof clock?.now !== 'function' || typeof clock.setTimer !== 'function') {
    throw invalidOption('clock', clock, 'a Clock');
  }
  const baseUrl = options.baseUrl ?? defaults.baseUrl;
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw invalidOption('baseUrl', baseUrl, 'an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalidOption('baseUrl', baseUrl, 'an absolute http(s) URL');
  }
  const headers = options.headers ?? {};
  if (typeof headers !== 'object' || Object.values(headers).some((v) => typeof v !== 'string')) {
    throw invalidOption('headers', headers, 'a record of strings');
  }
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function') throw invalidOption('fetch', fetchFn, 'a fetch function');
  const wallClock = options.wallClock ?? Date.now;
  if (typeof wallClock !== 'function') throw invalidOption('wallClock', wallClock, 'a function');
  return {
    baseUrl: baseUrl.replace(/\/+$/, ''),
    apiKey: nonEmpty('apiKey', options.apiKey),
    model: nonEmpty('model', options.model),
    clock,
    timeoutMs: positive('timeoutMs', options.timeoutMs, HTTP_CLIENT_DEFAULTS.timeoutMs),
    idleTimeoutMs: positive(
      'idleTimeoutMs',
      options.idleTimeoutMs,
      HTTP_CLIENT_DEFAULTS.idleTimeoutMs,
    ),
    headers,
    fetch: fetchFn,
    wallClock,
    provider:
      options.provider === undefined ? defaults.provider : nonEmpty('provider', options.provider),
    maxResponseBytes: positive(
      'maxResponseBytes',
      options.maxResponseBytes,
      HTTP_CLIENT_DEFAULTS.maxResponseBytes,
    ),
    maxEventLength: positive(
      'maxEventLength',
      options.maxEventLength,
      HTTP_CLIENT_DEFAULTS.maxEventLength,
    ),
  };
}
