import { StoreError } from '@warden/agents';

/**
 * When a write's commit waits for the disk. `outputs`: a write is synced when something outside
 * the process may act on it (a call that may have an effect, an approval, a finished run), and
 * every other write (a step's checkpoint, a read's journal entry, the audit around it) is made
 * durable by the next such write, which syncs the whole log before its effect can happen.
 * `writes`: every write is synced.
 */
export type SyncMode = 'outputs' | 'writes';

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
  /**
   * When a write waits for the disk. `'outputs'` (the default): before anything outside the
   * process can act on it. A finished run's commit, every journal write of a call that may have
   * an effect (with the audit entries that follow it), approvals, leases, queues, dead letters
   * and memory are synced before they resolve; a step's checkpoint, a read's journal and audit
   * entries are synced by the next of those, or when SQLite copies its log into the file (every
   * 1,000 pages). A crash of the process or the node loses nothing either way; a power loss can
   * take back steps no effect, approval or answer has followed yet, and they run again on
   * resume, as after any crash between two commits. `'writes'`: every write is synced before it
   * resolves (about 170 µs more for each step's commit on a quiet SSD).
   */
  readonly sync?: SyncMode;
}

export const SQLITE_STORE_DEFAULTS = Object.freeze({
  busyTimeoutMs: 5_000,
  maxRecordBytes: 16 * 1024 * 1024,
  sync: 'outputs' as SyncMode,
});

export interface ResolvedSqliteStoreOptions {
  readonly path: string;
  readonly busyTimeoutMs: number;
  readonly maxRecordBytes: number;
  readonly now: () => number;
  readonly sync: SyncMode;
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
  const sync = options.sync ?? SQLITE_STORE_DEFAULTS.sync;
  if (sync !== 'outputs' && sync !== 'writes') invalid('sync', sync, "'outputs' | 'writes'");
  return { path, busyTimeoutMs, maxRecordBytes, now, sync };
}

function invalid(field: string, value: unknown, expected: string): never {
  throw new StoreError('ERR_INVALID_OPTION', `${field} must be ${expected}, got ${String(value)}`, {
    field,
  });
}
