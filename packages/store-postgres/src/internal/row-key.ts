import { checks } from '../postgres-store-options.js';

/**
 * Keys (thread ids, journal keys, nonces, lease keys and owners, queue names, ids) are any
 * string, U+0000 and lone surrogates included, but a text column holds neither. A key is stored
 * as the body of its JSON string literal (`a"b` as `a\"b`, U+0000 as `\u0000`): one text per
 * key and one key per text, so lookups by equality keep every key apart, and a plain key reads
 * the same in the database.
 */
export function keyText(field: string, value: unknown): string {
  if (typeof value !== 'string') throw checks.invalid(field, value, 'a string');
  return JSON.stringify(value).slice(1, -1);
}

/** The text to look a key up by, or undefined for what cannot be a key (nothing is found). */
export function lookupText(value: unknown): string | undefined {
  return typeof value === 'string' ? JSON.stringify(value).slice(1, -1) : undefined;
}

/** The key a stored text stands for. */
export function keyFromText(text: string): string {
  return JSON.parse(`"${text}"`) as string;
}
