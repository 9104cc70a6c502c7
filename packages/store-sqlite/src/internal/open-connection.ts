import { isStoreError, StoreError } from '@warden/agents';
import Database from 'better-sqlite3';
import { migrate, schemaVersion } from '../migrate.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../schema.js';
import { storeErrorOf } from '../sqlite-errors.js';
import type { ResolvedSqliteStoreOptions } from '../sqlite-store-options.js';
import { Connection } from './connection.js';

/**
 * The log's size, in pages, at which a commit copies it into the file (SQLite's default is
 * 1,000). Once copied, the next commit writes the log again from its start, over blocks the
 * file already has; until then every commit makes the log longer, and the `fsync` of a file
 * that grew also writes down its new blocks: on ext4, commits that grew the log took 15-25%
 * longer than commits that overwrote it, measured side by side. A commit adds about 2.5 pages,
 * so SQLite's default had the log grow for the first 400 commits after a file is opened; 128
 * pages, for the first 50, at the price of copying every 50 commits the few pages they touched.
 * That is for `sync: 'writes'`, where every commit pays an `fsync`. With `sync: 'outputs'` most
 * commits pay none, and the copy (which syncs the log and the file) is what a step's commit
 * waits for now and then: SQLite's 1,000 pages make it one commit in about 370 instead of one in
 * 50, which took the bench's p99 of a step's commit from milliseconds down to about 0.2-0.8 ms
 * when the disk was quiet enough, measured side by side. What a commit promises is unchanged:
 * a synced write syncs the log either way.
 */
const WAL_PAGES = { writes: 128, outputs: 1_000 } as const;

/**
 * Opens the file and readies it: checked before anything is written to it, then WAL mode,
 * FULL until a write says otherwise, the log's size, and the current schema in one transaction.
 */
export function openConnection(resolved: ResolvedSqliteStoreOptions): Connection {
  let db: Database.Database;
  try {
    db = new Database(resolved.path, { timeout: resolved.busyTimeoutMs });
  } catch (error) {
    // A missing folder is refused by the driver before SQLite is asked: not SQLite's error.
    const cause = storeErrorOf(error);
    if (isStoreError(cause)) throw cause;
    throw new StoreError(
      'ERR_STORE_UNAVAILABLE',
      `cannot open ${resolved.path}: ${String(error)}`,
      {
        cause: error,
      },
    );
  }
  try {
    schemaVersion(db, SCHEMA_VERSION);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma(`wal_autocheckpoint = ${WAL_PAGES[resolved.sync]}`);
    migrate(db, MIGRATIONS);
  } catch (error) {
    db.close();
    throw storeErrorOf(error);
  }
  return new Connection(db, resolved.maxRecordBytes, resolved.now, resolved.sync);
}
