/**
 * A value's JSON text cut to 2,000 characters, or its `String` when it has none: how a call's
 * arguments are written where they need not round-trip (a summary, the key of arguments that
 * have no canonical form).
 */
export function boundedJson(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? '').slice(0, 2000);
  } catch {
    return String(value);
  }
}
