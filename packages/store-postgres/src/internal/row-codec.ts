import { createHash } from 'node:crypto';
import { decodeStoreJson, encodeStoreJson, StoreError } from '@warden/agents';

/** A value as one row holds it: its JSON text and a checksum over the row's key and that text. */
export interface EncodedRow {
  readonly body: string;
  readonly checksum: string;
  readonly bytes: number;
}

/**
 * Encodes a record for a row keyed by `key` (the table and the row's key columns). The checksum
 * covers the key as well as the text, so a row edited, or moved under another key, behind the
 * store's back fails `decodeRow`. The text is `encodeStoreJson`'s, as in every store: a value
 * JSON cannot carry at all (a cycle, a bigint) is refused with `ERR_NOT_JSON`, and one over
 * `maxBytes` with `ERR_RECORD_TOO_LARGE`, before anything is written.
 */
export function encodeRow(key: string, value: unknown, maxBytes: number): EncodedRow {
  const body = encodeStoreJson(value, key);
  const bytes = Buffer.byteLength(body);
  if (bytes > maxBytes) {
    throw new StoreError(
      'ERR_RECORD_TOO_LARGE',
      `${key}: ${bytes} bytes encoded, over the store's limit of ${maxBytes}`,
      { detail: { key, bytes, limit: maxBytes } },
    );
  }
  return { body, checksum: checksumOf(key, body), bytes };
}

/** Reads a row back, refusing it (`ERR_STORE_CORRUPT`) unless its checksum holds. */
export function decodeRow(key: string, body: unknown, checksum: unknown): unknown {
  if (typeof body !== 'string' || checksum !== checksumOf(key, body)) {
    throw corrupt(key, 'its checksum does not match its contents');
  }
  return decodeStoreJson(body, 'row', key);
}

export function checksumOf(key: string, body: string): string {
  return createHash('sha256').update(key).update('\u0000').update(body).digest('base64url');
}

export function corrupt(key: string, why: string, cause?: unknown): StoreError {
  return new StoreError('ERR_STORE_CORRUPT', `corrupted row ${key}: ${why}`, {
    detail: { row: key },
    ...(cause === undefined ? {} : { cause }),
  });
}
