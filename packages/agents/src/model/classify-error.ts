import { type ErrorBody, readErrorBody } from './error-body.js';
import { ModelCallError, type ModelErrorKind } from './model-call-error.js';
import { type HeaderSource, headerValue, retryAfterFromHeaders } from './retry-after.js';

/** Optional fields accept `undefined`, so an `APICallError`'s optional fields pass straight in. */
export interface HttpErrorInput {
  /** Names the provider in the error (`'openai'`, `'anthropic'`, ...). */
  readonly provider?: string | undefined;
  readonly model?: string | undefined;
  /**
   * The HTTP status. Absent (or 2xx) for an error reported inside a successful response, such as
   * an SSE `error` event: the body's error type (or a numeric code) then stands for the status it
   * implies.
   */
  readonly status?: number | undefined;
  readonly headers?: HeaderSource | undefined;
  /** The error body: its text, or the value already parsed from JSON. */
  readonly body?: unknown;
  /** Wall time (ms since the epoch) for a `Retry-After` HTTP date; `Date.now()` if omitted. */
  readonly now?: number | undefined;
  readonly cause?: unknown;
}

/** Error types that imply a status when an error arrives without one (inside a stream). */
const TYPE_STATUS: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  rate_limit_exceeded: 429,
  insufficient_quota: 429,
  api_error: 500,
  server_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** Codes that say the money or the monthly allowance is spent: waiting a minute will not help. */
const QUOTA_CODES: ReadonlySet<string> = new Set([
  'insufficient_quota',
  'billing_hard_limit_reached',
  'billing_not_active',
  'organization_spend_limit_exceeded',
  'project_spend_limit_exceeded',
  'billing_error',
]);
const QUOTA_MESSAGE =
  /exceeded your current quota|check your plan and billing|credit balance is too low|reached your specified (workspace )?api usage limits|spend limit|insufficient (credits|balance|funds)/i;

const CONTEXT_CODES: ReadonlySet<string> = new Set([
  'context_length_exceeded',
  'model_context_window_exceeded',
  'request_too_large',
]);
const CONTEXT_MESSAGE =
  /maximum context length|context length exceeded|prompt is too long|exceeds? (the )?context (limit|window)|context window of this model|input is too long|too many (input )?tokens/i;

const FILTER_CODES: ReadonlySet<string> = new Set([
  'content_filter',
  'content_policy_violation',
  'ResponsibleAIPolicyViolation',
]);
const FILTER_MESSAGE = /content (management )?policy|content filter|safety system/i;

/** A numeric `code` in an error body (OpenRouter's `{ error: { code: 502 } }`) read as a status. */
function statusLike(code: string | undefined): number | undefined {
  if (code === undefined || !/^[45]\d\d$/.test(code)) return undefined;
  return Number(code);
}

function codesOf(info: ErrorBody): string[] {
  const codes: string[] = [];
  if (info.detailCode !== undefined) codes.push(info.detailCode);
  if (info.code !== undefined) codes.push(info.code);
  if (info.type !== undefined) codes.push(info.type);
  return codes;
}

function isQuota(codes: readonly string[], message: string): boolean {
  return codes.some((c) => QUOTA_CODES.has(c) || c.endsWith('_spend_limit_reached'))
    ? true
    : QUOTA_MESSAGE.test(message);
}

/** The kind a status alone implies, once the body has said nothing more specific. */
function kindOfStatus(status: number): ModelErrorKind {
  if (status === 429) return 'rate_limited';
  if (status === 503 || status === 529) return 'overloaded';
  if (status === 408) return 'timeout';
  if (status === 401 || status === 403) return 'auth';
  if (status === 400 || status === 404 || status === 422) return 'bad_request';
  if (status === 413) return 'context_length';
  if (status >= 500) return 'server';
  return 'unknown';
}

function kindOf(status: number | undefined, codes: readonly string[], message: string) {
  const client = status !== undefined && status >= 400 && status < 500;
  if (status === 402 || ((client || status === undefined) && isQuota(codes, message))) {
    return 'quota_exhausted';
  }
  if (codes.includes('overloaded_error')) return 'overloaded';
  if (client || status === undefined) {
    if (codes.some((c) => CONTEXT_CODES.has(c)) || CONTEXT_MESSAGE.test(message)) {
      if (status !== 401 && status !== 403 && status !== 429) return 'context_length';
    }
    if (codes.some((c) => FILTER_CODES.has(c)) || FILTER_MESSAGE.test(message)) {
      if (status === undefined || status === 400 || status === 422) return 'content_filter';
    }
  }
  return status === undefined ? 'unknown' : kindOfStatus(status);
}

/**
 * Classifies a failed model call from what the server sent: the status, the headers and the
 * error body. Every transport goes through it (the fetch clients here, the AI SDK adapter with
 * an `APICallError`'s `statusCode`, `responseHeaders` and `responseBody`), so one body means one
 * kind everywhere.
 *
 * The rules, in order: a spent quota or balance (OpenAI `insufficient_quota` and its spend-limit
 * codes, Anthropic `*_spend_limit_reached` details and billing messages, any 402) is
 * `quota_exhausted`, even on a 429; Anthropic's `overloaded_error` is `overloaded`; on a 4xx a
 * context-length code or message (OpenAI `context_length_exceeded`, "maximum context length";
 * Anthropic "prompt is too long", "exceed context limit"; a 413) is `context_length`; a content
 * filter code or message is `content_filter`; then by status: 429 `rate_limited`, 503 and 529
 * `overloaded`, other 5xx `server`, 408 `timeout`, 401 and 403 `auth`, 400, 404 and 422
 * `bad_request`, anything else `unknown`. `x-should-retry: false` (sent by OpenAI and Anthropic)
 * makes any kind final; `true` is not followed, so a server cannot make a spent quota or a bad
 * request retried.
 */
export function classifyHttpError(input: HttpErrorInput): ModelCallError {
  const info = readErrorBody(input.body);
  const codes = codesOf(info);
  const implied =
    (info.type === undefined ? undefined : TYPE_STATUS[info.type]) ?? statusLike(info.code);
  const status =
    input.status !== undefined && input.status >= 300 ? input.status : (implied ?? undefined);
  const message = info.message ?? '';
  const kind = kindOf(status, codes, message);
  const retryAfterMs = retryAfterFromHeaders(input.headers, input.now ?? Date.now());
  const shouldRetry = headerValue(input.headers, 'x-should-retry');
  const providerCode = codes[0];
  const described =
    input.status !== undefined && input.status >= 300
      ? `HTTP ${input.status}${message === '' ? '' : `: ${message}`}`
      : message === ''
        ? 'error in the response'
        : message;
  return new ModelCallError(kind, `${input.provider ?? 'model'}: ${described}`, {
    ...(input.status !== undefined && input.status >= 300 ? { status: input.status } : {}),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(providerCode === undefined ? {} : { providerCode }),
    ...(input.provider === undefined ? {} : { provider: input.provider }),
    ...(input.model === undefined ? {} : { model: input.model }),
    ...(shouldRetry === 'false' ? { retryable: false } : {}),
    ...(input.cause === undefined ? {} : { cause: input.cause }),
  });
}
