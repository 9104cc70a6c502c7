import { Database } from './internal/database.js';
import { migrate } from './internal/migrate.js';
import { PostgresAgentStore } from './postgres-agent-store.js';
import { type PostgresStoreOptions, resolveOptions } from './postgres-store-options.js';

/**
 * Opens an `AgentStore` in a PostgreSQL schema, creating or migrating the schema first (nodes
 * starting at once migrate it once between them). Fails with `ERR_STORE_UNAVAILABLE` if the
 * database cannot be reached within `connectTimeoutMs`, `ERR_STORE_SCHEMA` if the schema was
 * written by a newer warden (it is left untouched), `ERR_INVALID_OPTION` for a bad option; a
 * store that failed to open leaves no connection behind.
 *
 * @example
 * const store = await openPostgresStore({ connectionString: process.env.DATABASE_URL, schema: 'agents' });
 * const planner = defineAgent({ name: 'planner', model, system, tools, store });
 */
export async function openPostgresStore(
  options: PostgresStoreOptions,
): Promise<PostgresAgentStore> {
  const resolved = resolveOptions(options);
  const db = new Database(resolved);
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return new PostgresAgentStore(db, resolved.clock);
}
