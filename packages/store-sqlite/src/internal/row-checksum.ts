import { hash } from 'node:crypto';
import { StoreError } from '@warden/agents';

type Field = string | number | null;

/**
 * A row's checksum: SHA-256, cut to 64 bits, of its table and every column it is checked on,
 * each written as its length and its text so that no two rows share a text. Enough to catch a
 * flipped bit or a torn write with certainty for practical purposes; it is no defence against
 * someone who rewrites a row and its checksum (the audit log's hash chain is for that).
 */
export function rowChecksum(table: string, fields: readonly Field[]): string {
  let text = part(table);
  for (const field of fields) text += part(field);
  return hash('sha256', text, 'hex').slice(0, 16);
}

/** Throws `ERR_STORE_CORRUPT`, naming the table and key, if the row does not match its checksum. */
export function verifyRow(
  table: string,
  key: Readonly<Record<string, unknown>>,
  sum: unknown,
  fields: readonly Field[],
): void {
  if (typeof sum !== 'string' || sum !== rowChecksum(table, fields)) throw corruptRow(table, key);
}

export function corruptRow(
  table: string,
  key: Readonly<Record<string, unknown>>,
  why = 'fails its checksum',
): StoreError {
  return new StoreError('ERR_STORE_CORRUPT', `${table} row ${JSON.stringify(key)} ${why}`, {
    detail: { table, key },
  });
}

function part(field: Field): string {
  if (field === null) return '-;';
  const text = typeof field === 'number' ? String(field) : field;
  return `${text.length}:${text};`;
}
