/**
 * Parses an HTTP `Retry-After` value into milliseconds from `nowMs` (wall time, ms since the
 * epoch, for the HTTP-date form). Accepts delay-seconds (`"120"`, also a number) and an
 * HTTP-date (`"Wed, 21 Oct 2015 07:28:00 GMT"`); a date in the past means 0. Returns
 * `undefined` for anything else, so a malformed header never blocks a retry.
 */
export function parseRetryAfter(value: unknown, nowMs: number): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
