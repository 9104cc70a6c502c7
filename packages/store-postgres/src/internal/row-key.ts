import { checks } from '../postgres-store-options.js';

/**
 * Keys (thread ids, journal keys, nonces, lease keys, ids) are stored as they are, in text
 * columns, which cannot hold U+0000: such a key is refused where it would be written
 * (`ERR_INVALID_OPTION`), and is never found where it is looked up, rather than reaching the
 * database as an error of the connection's.
 */
export function checkKey(field: string, value: unknown): string {
  if (!isStorableKey(value))
    throw checks.invalid(field, value, 'a non-empty string without U+0000');
  return value;
}

export function isStorableKey(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && !value.includes('\u0000');
}
