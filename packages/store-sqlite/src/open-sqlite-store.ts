import { isStoreError, StoreError } from '@warden/agents';
import Database from 'better-sqlite3';
import { Connection } from './internal/connection.js';
import { migrate, schemaVersion } from './migrate.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { SqliteAgentStore } from './sqlite-agent-store.js';
import { storeErrorOf } from './sqlite-errors.js';
import { resolveSqliteStoreOptions, type SqliteStoreOptions } from './sqlite-store-options.js';

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
