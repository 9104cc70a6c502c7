import { StoreError } from '@warden/agents';

export interface SqliteStoreOptions {
  /** A file (created if missing) or `':memory:'` (one connection's, gone when closed). */
  readonly path: string;
  /**
   * How long a write waits for another connection's lock (another process on the same file)
   * before failing with `ERR_STORE_UNAVAILABLE`.
   */
  readonly busyTimeoutMs?: number;
  /** The largest record (a message, a tool result, a dead letter) in bytes of JSON. */
  readonly maxRecordBytes?: number;
  /**
   * Stamps each commit, for `Retention.finishedOlderThanMs`. The store outlives processes, so the
   * default is `Date.now` (a node's own clock restarts from 0 with its process); pass the clock
   * the `Retention.now` given to `prune` is read from.
   */
  readonly clock?: { now(): number };
}

export const SQLITE_STORE_DEFAULTS = Object.freeze({
  busyTimeoutMs: 5_000,
  maxRecordBytes: 16 * 1024 * 1024,
});

export interface ResolvedSqliteStoreOptions {
  readonly path: string;
  readonly busyTimeoutMs: number;
  readonly maxRecordBytes: number;
  readonly now: () => number;
}

export function resolveSqliteStoreOptions(options: SqliteStoreOptions): ResolvedSqliteStoreOptions {
  if (typeof options !== 'object' || options === null) invalid('options', options, 'an object');
  const { path, clock } = options;
  if (typeof path !== 'string' || path === '') invalid('path', path, "a file path or ':memory:'");
  const busyTimeoutMs = options.busyTimeoutMs ?? SQLITE_STORE_DEFAULTS.busyTimeoutMs;
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    invalid('busyTimeoutMs', busyTimeoutMs, 'an integer of at least 0');
  }
  const maxRecordBytes = options.maxRecordBytes ?? SQLITE_STORE_DEFAULTS.maxRecordBytes;
  if (!Number.isSafeInteger(maxRecordBytes) || maxRecordBytes < 1) {
    invalid('maxRecordBytes', maxRecordBytes, 'a positive integer');
  }
  if (clock !== undefined && typeof clock?.now !== 'function') {
    invalid('clock', clock, 'an object with now()');
  }
  const now = clock === undefined ? Date.now : () => clock.now();
  return { path, busyTimeoutMs, maxRecordBytes, now };
}

function invalid(field: string, value: unknown, expected: string): never {
  throw new StoreError('ERR_INVALID_OPTION', `${field} must be ${expected}, got ${String(value)}`, {
    field,
  });
}
