import { StoreError } from './store-error.js';

/**
 * The JSON text a store keeps a value as. Every durable store encodes through this function and
 * the in-memory store copies through it, so all of them give back the same values: keys in the
 * order they were written, `undefined` members and functions left out and non-finite numbers
 * written as `null` (as JSON does; a model saw the same, since everything it sees went through
 * JSON). A value JSON cannot carry at all (a cycle, a bigint) is refused with `ERR_NOT_JSON`
 * before anything is written.
 */
export function encodeStoreJson(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new StoreError('ERR_NOT_JSON', `${what} has no JSON form: ${(cause as Error).message}`, {
      detail: { what },
      cause,
    });
  }
  if (text === undefined) {
    throw new StoreError('ERR_NOT_JSON', `${what} has no JSON form (${typeof value})`, {
      detail: { what },
    });
  }
  return text;
}

/** Parses what `encodeStoreJson` wrote; text that is not JSON is a corrupted row. */
export function decodeStoreJson(text: string, table: string, key: unknown): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new StoreError('ERR_STORE_CORRUPT', `${table} row ${JSON.stringify(key)} is not JSON`, {
      detail: { table, key },
      cause,
    });
  }
}

/** The value as a store gives it back: through JSON, and `undefined` for `undefined`. */
export function storeJsonCopy<T>(value: T, what: string): T {
  if (value === undefined) return value;
  return JSON.parse(encodeStoreJson(value, what)) as T;
}
