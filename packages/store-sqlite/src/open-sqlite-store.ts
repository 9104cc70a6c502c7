import { isStoreError, StoreError } from '@warden/agents';
import Database from 'better-sqlite3';
import { Connection } from './internal/connection.js';
import { migrate, schemaVersion } from './migrate.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { SqliteAgentStore } from './sqlite-agent-store.js';
import { storeErrorOf } from './sqlite-errors.js';
import { resolveSqliteStoreOptions, type SqliteStoreOptions } from './sqlite-store-options.js';

/**
 * The log's size, in pages, at which a commit copies it into the file (SQLite's default is
 * 1,000). Once copied, the next commit writes the log again from its start, over blocks the
 * file already has; until then every commit makes the log longer, and the `fsync` of a file
 * that grew also writes down its new blocks: on ext4, commits that grew the log took 15-25%
 * longer than commits that overwrote it, measured side by side. A commit adds about 2.5 pages,
 * so SQLite's default had the log grow for the first 400 commits after a file is opened; 128
 * pages, for the first 50, at the price of copying every 50 commits the few pages they touched.
 * What a commit promises is unchanged: the log is synced at every commit either way.
 */
const WAL_PAGES = 128;

/**
 * Opens (creating if missing) a SQLite file as an `AgentStore`: the embedded default, with no
 * server to run. The file is checked before anything is written to it (a newer schema, or a
 * database that is not a warden store, is `ERR_STORE_SCHEMA` and stays as it was), then set to
 * WAL mode with `synchronous=FULL`, and brought to the current schema in one transaction.
 *
 * Why FULL: in WAL mode, `synchronous=NORMAL` syncs the log only at checkpoints, so a power loss
 * can take back transactions that had committed; an agent may already have acted on such a
 * commit (told a person, started a call), and a resume from an older head would not know.
 * FULL syncs the log at every commit: once `commit` resolves, the checkpoint survives a crash of
 * the process, the node or the machine.
 *
 * @example
 * const store = await openSqliteStore({ path: 'agents.db', clock: node.clock });
 * const agent = defineAgent({ name: 'triage', model, system: '...', store });
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteAgentStore> {
  const resolved = resolveSqliteStoreOptions(options);
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
    db.pragma(`wal_autocheckpoint = ${WAL_PAGES}`);
    migrate(db, MIGRATIONS);
  } catch (error) {
    db.close();
    throw storeErrorOf(error);
  }
  return new SqliteAgentStore(
    new Connection(db, resolved.maxRecordBytes, resolved.now),
    resolved.path,
  );
}
