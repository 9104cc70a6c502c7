import { ModelCallError, type ModelErrorKind } from '@warden/agents';

/** Names the model an error came from, so a supervisor's report says which one failed. */
export interface Origin {
  readonly provider: string;
  readonly model: string;
}

/** What an AI SDK provider kept of a failed HTTP response. */
export interface HttpFailure {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly body: string | undefined;
  readonly message: string;
  readonly cause: unknown;
}

const CONTEXT_LENGTH =
  /context[_ ]length|context window|maximum context|prompt is too long|too many tokens|max_tokens_exceeded|exceeds the model/i;
const QUOTA = /insufficient_quota|quota|billing|credit balance|out of credits/i;
const CONTENT_FILTER = /content[_ ]filter|content[_ ]policy|safety system|moderation/i;

/**
 * One reading of a failed response: status first, then the body where the status is ambiguous
 * (a 429 that says the quota is spent, a 400 that says the prompt is too long).
 */
export function classifyHttpFailure(failure: HttpFailure, origin: Origin): ModelCallError {
  const body = failure.body ?? '';
  const providerCode = providerCodeOf(body);
  const retryAfterMs = retryAfterOf(failure.headers);
  return new ModelCallError(kindOf(failure.status, body), failure.message, {
    status: failure.status,
    provider: origin.provider,
    model: origin.model,
    cause: failure.cause,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(providerCode === undefined ? {} : { providerCode }),
  });
}

function kindOf(status: number, body: string): ModelErrorKind {
  if (status === 401 || status === 403) return QUOTA.test(body) ? 'quota_exhausted' : 'auth';
  if (status === 402) return 'quota_exhausted';
  if (status === 408) return 'timeout';
  if (status === 429) return QUOTA.test(body) ? 'quota_exhausted' : 'rate_limited';
  if (status === 503 || status === 529) return 'overloaded';
  if (status === 504) return 'timeout';
  if (status >= 500) return /overloaded/i.test(body) ? 'overloaded' : 'server';
  if (status >= 400) {
    if (CONTEXT_LENGTH.test(body)) return 'context_length';
    if (CONTENT_FILTER.test(body)) return 'content_filter';
    if (QUOTA.test(body)) return 'quota_exhausted';
    return 'bad_request';
  }
  return 'unknown';
}

/** `error.code`, else `error.type` (OpenAI and Anthropic both nest them under `error`). */
function providerCodeOf(body: string): string | undefined {
  if (!body.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; type?: unknown } };
    const code = parsed.error?.code ?? parsed.error?.type;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/** `retry-after-ms` (OpenAI) before `retry-after` (seconds or an HTTP date). */
function retryAfterOf(headers: Readonly<Record<string, string>> | undefined): number | undefined {
  if (headers === undefined) return undefined;
  const ms = Number(headerOf(headers, 'retry-after-ms'));
  if (Number.isFinite(ms) && ms >= 0 && headerOf(headers, 'retry-after-ms') !== undefined)
    return ms;
  const value = headerOf(headers, 'retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function headerOf(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  if (headers[name] !== undefined) return headers[name];
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return headers[key];
  return undefined;
}
