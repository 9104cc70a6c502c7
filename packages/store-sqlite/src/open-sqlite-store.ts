import { openConnection } from './internal/open-connection.js';
import { SqliteAgentStore } from './sqlite-agent-store.js';
import { resolveSqliteStoreOptions, type SqliteStoreOptions } from './sqlite-store-options.js';

/**
 * Opens (creating if missing) a SQLite file as an `AgentStore`: the embedded default, with no
 * server to run. The file is checked before anything is written to it (a newer schema, or a
 * database that is not a warden store, is `ERR_STORE_SCHEMA` and stays as it was), then set to
 * WAL mode, and brought to the current schema in one transaction.
 *
 * Why not NORMAL for every write: in WAL mode, `synchronous=NORMAL` syncs the log only at
 * checkpoints, so a power loss can take back transactions that had committed; an agent may
 * already have acted on such a commit (told a person, started a call), and a resume from an
 * older head would not know. Why not FULL for every write: most of an agent's writes are steps
 * nothing outside has seen, and the `fsync` is most of a commit's time. So a write is synced
 * when something outside may act on it, and that sync takes every earlier write with it, since
 * the log holds them in order (`SqliteStoreOptions.sync`).
 *
 * @example
 * const store = await openSqliteStore({ path: 'agents.db', clock: node.clock });
 * const agent = defineAgent({ name: 'triage', model, system: '...', store });
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteAgentStore> {
  const resolved = resolveSqliteStoreOptions(options);
  return new SqliteAgentStore(openConnection(resolved), resolved.path);
}
