import type { AgentStore } from '@warden/agents';
import { openSqliteStore } from '@warden/store-sqlite';

/** Where the cluster's durable state lives: one SQLite file, or one PostgreSQL database. */
export type StoreLocation =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string };

/** The PostgreSQL schema the demo's runs share (each run's threads carry its own id). */
const PG_SCHEMA = 'warden_demo';

/**
 * Opens the store every node of the cluster shares: checkpoints, the effect journal, the audit
 * log and memory of every agent, whichever node it runs on. Each node opens its own connection to
 * the same file (WAL, with a busy timeout for the others' writes) or the same database schema.
 */
export async function openClusterStore(location: StoreLocation): Promise<AgentStore> {
  if (location.kind === 'sqlite') return openSqliteStore({ path: location.path });
  // Loaded only when asked for: a run on SQLite never loads the PostgreSQL client.
  const { openPostgresStore } = await import('@warden/store-postgres');
  return openPostgresStore({ connectionString: location.url, schema: PG_SCHEMA });
}

export function describeStore(location: StoreLocation): string {
  return location.kind === 'sqlite'
    ? `one SQLite file shared by every node (${location.path})`
    : `one PostgreSQL schema shared by every node (${PG_SCHEMA}, at WARDEN_PG_URL)`;
}
