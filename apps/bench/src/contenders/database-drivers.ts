import { createRequire } from 'node:module';

/**
 * The database drivers, for what the bench does beside the contenders: reading a SQLite file's
 * settings and sizes, dropping a PostgreSQL schema after a run. Loaded from the LangGraph savers'
 * own dependencies (better-sqlite3 12.11, pg 8.23: the very copies warden's stores load too),
 * since the bench depends on neither driver by name.
 */
const require = createRequire(import.meta.url);

/** The part of a better-sqlite3 connection the bench uses. */
export interface SqliteConnection {
  pragma(source: string, options?: { readonly simple?: boolean }): unknown;
  exec(source: string): unknown;
  prepare(source: string): { all(...params: unknown[]): unknown[] };
  close(): unknown;
}

interface PgClient {
  connect(): Promise<unknown>;
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<unknown>;
}

function driverOf<T>(peer: string, driver: string): T {
  return createRequire(require.resolve(peer))(driver) as T;
}

export function openSqliteFile(path: string): SqliteConnection {
  const Database = driverOf<new (path: string) => SqliteConnection>(
    '@langchain/langgraph-checkpoint-sqlite',
    'better-sqlite3',
  );
  return new Database(path);
}

/** Runs `work` on a fresh connection to `url`, always closed after. */
export async function withPostgres<T>(
  url: string,
  work: (client: PgClient) => Promise<T>,
): Promise<T> {
  const { Client } = driverOf<{ Client: new (config: { connectionString: string }) => PgClient }>(
    '@langchain/langgraph-checkpoint-postgres',
    'pg',
  );
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A schema name of the bench's own, unique to the run. */
export function benchSchema(prefix: string): string {
  return `bench_${prefix}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e9).toString(36)}`;
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  await withPostgres(url, (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

/**
 * What the server does at a commit: whether it syncs its log (`fsync`, `synchronous_commit`)
 * and its version, read from the server itself.
 */
export async function postgresSettings(url: string): Promise<string> {
  return withPostgres(url, async (client) => {
    const show = async (name: string) =>
      String((await client.query(`SHOW ${name}`)).rows[0]?.[name] ?? '?');
    return `PostgreSQL ${await show('server_version')}, fsync=${await show('fsync')}, synchronous_commit=${await show('synchronous_commit')}`;
  });
}
