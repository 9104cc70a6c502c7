/**
 * A value as JSON text of at most `max` characters (strings as themselves), so whatever an agent,
 * a model or a tool produced reaches the page as bounded data: a tool argument of a megabyte is
 * cut, one that cannot be serialised (a cycle, a BigInt) is described instead of crashing.
 */
export function boundedText(value: unknown, max: number): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  return text.length > max ? `${text.slice(0, Math.max(0, max - 3))}...` : text;
}

/** A string field of a published event, or `fallback` when it is missing or not a string. */
export function field(
  event: Readonly<Record<string, unknown>>,
  name: string,
  fallback = '',
): string {
  const value = event[name];
  return typeof value === 'string' ? value : fallback;
}

/** A finite, non-negative number field of a published event, or 0. */
export function count(event: Readonly<Record<string, unknown>>, name: string): number {
  const value = event[name];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}
