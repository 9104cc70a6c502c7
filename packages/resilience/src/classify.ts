import { parseRetryAfter } from './retry-after.js';

/** The verdict on a failure: retry it or not, and how long the server asked us to wait. */
export interface Classification {
  readonly transient: boolean;
  /** From a `Retry-After` header or a `retryAfterMs` field: wait at least this long. */
  readonly retryAfterMs?: number;
}

/** Decides whether a failure is worth another attempt. `nowMs` is wall time, for HTTP dates. */
export type Classifier = (error: unknown, nowMs: number) => Classification | boolean;

/** Socket and DNS failures that a later attempt may not meet (Node's and undici's codes). */
export const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  // warden's own: a deadline, a shed request, a node that went away, a full mailbox.
  'ERR_TIMEOUT',
  'ERR_RATE_LIMITED',
  'ERR_BULKHEAD_FULL',
  'ERR_CALL_TIMEOUT',
  'ERR_NODEDOWN',
  'ERR_MAILBOX_FULL',
]);

type Bag = Record<string, unknown>;

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Bag)[key] : undefined;
}

/** The HTTP status of an error shaped like fetch's, axios's or got's, if any. */
export function statusOf(error: unknown): number | undefined {
  for (const candidate of [error, field(error, 'response')]) {
    for (const key of ['status', 'statusCode']) {
      const v = field(candidate, key);
      if (typeof v === 'number' && Number.isInteger(v)) return v;
    }
  }
  return undefined;
}

function header(headers: unknown, name: string): unknown {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') return get.call(headers, name) ?? undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

function retryAfterOf(error: unknown, nowMs: number): number | undefined {
  const direct = field(error, 'retryAfterMs');
  if (typeof direct === 'number' && direct >= 0 && Number.isFinite(direct)) return direct;
  for (const candidate of [error, field(error, 'response')]) {
    const v = header(field(candidate, 'headers'), 'retry-after');
    const ms = parseRetryAfter(v, nowMs);
    if (ms !== undefined) return ms;
  }
  return undefined;
}

function hasTransientCode(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = field(current, 'code');
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    if (field(current, 'name') === 'TimeoutError') return true;
    current = field(current, 'cause');
  }
  return false;
}

/**
 * The default classifier. Transient: HTTP 408, 429 and 5xx; the socket codes of
 * `TRANSIENT_CODES` (also found on `cause`, as fetch reports them); a `TimeoutError`. Permanent:
 * every other 4xx, an abort, and anything unrecognised (retrying the unknown multiplies load for
 * nothing). A `Retry-After` header (seconds or HTTP date) or a `retryAfterMs` field is reported.
 */
export function classifyError(error: unknown, nowMs: number): Classification {
  const status = statusOf(error);
  const retryAfterMs = retryAfterOf(error, nowMs);
  let transient: boolean;
  if (status !== undefined && status >= 400) {
    transient = status === 408 || status === 429 || status >= 500;
  } else {
    transient = hasTransientCode(error);
  }
  return retryAfterMs === undefined ? { transient } : { transient, retryAfterMs };
}
