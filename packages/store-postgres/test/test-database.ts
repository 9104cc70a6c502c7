import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import {
  openPostgresStore,
  type PostgresAgentStore,
  type PostgresStoreOptions,
} from '../src/index.js';

/**
 * The database the tests run against. These tests never skip: without `WARDEN_PG_URL` they fail,
 * saying how to run them against a throw-away PostgreSQL.
 */
export function databaseUrl(): string {
  const url = process.env.WARDEN_PG_URL;
  if (url === undefined || url === '') {
    throw new Error(
      'WARDEN_PG_URL is not set: the PostgreSQL store tests need a database. Run them with ' +
        '`scripts/with-postgres.sh npx vitest run packages/store-postgres` (it starts a ' +
        'throw-away PostgreSQL and stops it after), or set WARDEN_PG_URL to a database of yours.',
    );
  }
  return url;
}

/**
 * A schema of the test file's own (a random suffix), so test files run in parallel on one
 * database; `drop` removes it with everything in it.
 */
export interface TestSchema {
  readonly name: string;
  open(options?: Partial<PostgresStoreOptions>): Promise<PostgresAgentStore>;
  /** Runs one statement beside the store, as someone editing the database behind its back. */
  sql<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

export function testSchema(label: string): TestSchema {
  const url = databaseUrl();
  const name = `t_${label}_${randomBytes(5).toString('hex')}`;
  const opened: PostgresAgentStore[] = [];
  return {
    name,
    async open(options = {}) {
      const store = await openPostgresStore({ connectionString: url, schema: name, ...options });
      opened.push(store);
      return store;
    },
    async sql<R>(text: string, values: unknown[] = []) {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`SET search_path TO "${name}"`);
        return (await client.query(text, values)).rows as R[];
      } finally {
        await client.end();
      }
    },
    async drop() {
      for (const store of opened) await store.close();
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
