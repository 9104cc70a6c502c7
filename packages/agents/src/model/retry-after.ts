import { parseRetryAfter } from '@warden/resilience';

/** Response headers as fetch gives them, or as a plain record (the AI SDK's `responseHeaders`). */
export type HeaderSource =
  | Headers
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | undefined;

/** One header, case-insensitively, from either form. */
export function headerValue(headers: HeaderSource, name: string): string | undefined {
  if (headers === undefined) return undefined;
  if (typeof (headers as Headers).get === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() !== wanted) continue;
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  }
  return undefined;
}

/**
 * How long the server asked us to wait, in milliseconds: `retry-after-ms` (OpenAI's, precise)
 * first, then `Retry-After` as delay-seconds or an HTTP date. A date is measured against the
 * response's own `Date` header when it has one (the server's clock against the server's clock,
 * so a skewed local clock does not stretch or cancel the wait), otherwise against `nowMs` (wall
 * time, ms since the epoch). A malformed or negative value is ignored: it never blocks a retry.
 */
export function retryAfterFromHeaders(headers: HeaderSource, nowMs: number): number | undefined {
  const precise = headerValue(headers, 'retry-after-ms');
  if (precise !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(precise)) return Number(precise);
  const value = headerValue(headers, 'retry-after');
  if (value === undefined) return undefined;
  const serverDate = Date.parse(headerValue(headers, 'date') ?? '');
  return parseRetryAfter(value, Number.isNaN(serverDate) ? nowMs : serverDate);
}
