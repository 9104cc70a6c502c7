import { isStoreError } from '@warden/agents';
import { Pool } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresStore, POSTGRES_STORE_DEFAULTS } from '../src/index.js';
import { checkpointOf, userMessage } from './checkpoint-fixtures.js';
import { databaseUrl, type TestSchema, testSchema } from './test-database.js';

const db: TestSchema = testSchema('options');
afterAll(() => db.drop());

const invalid = (field: string) => (e: unknown) =>
  isStoreError(e, 'ERR_INVALID_OPTION') && e.field === field;

describe('openPostgresStore options', () => {
  it('refuses a schema name it could not quote safely, before connecting', async () => {
    const url = databaseUrl();
    for (const schema of [
      'Warden',
      'a-b',
      'x"; DROP SCHEMA public; --',
      '9lives',
      '',
      'a'.repeat(64),
    ]) {
      await expect(openPostgresStore({ connectionString: url, schema })).rejects.toSatisfy(
        invalid('schema'),
      );
    }
  });

  it('takes exactly one of a connection string and a pool', async () => {
    await expect(openPostgresStore({})).rejects.toSatisfy(invalid('connectionString'));
    const pool = new Pool({ connectionString: databaseUrl() });
    try {
      await expect(openPostgresStore({ connectionString: databaseUrl(), pool })).rejects.toSatisfy(
        invalid('connectionString'),
      );
    } finally {
      await pool.end();
    }
  });

  it('refuses bad limits and timeouts, naming the field', async () => {
    const url = databaseUrl();
    await expect(
      openPostgresStore({ connectionString: url, schema: db.name, maxRecordBytes: 0 }),
    ).rejects.toSatisfy(invalid('maxRecordBytes'));
    await expect(
      openPostgresStore({ connectionString: url, schema: db.name, statementTimeoutMs: 0 }),
    ).rejects.toSatisfy(invalid('statementTimeoutMs'));
    await expect(
      openPostgresStore({ connectionString: url, schema: db.name, clock: {} as never }),
    ).rejects.toSatisfy(invalid('clock'));
    expect(POSTGRES_STORE_DEFAULTS).toMatchObject({ schema: 'warden', statementTimeoutMs: 10_000 });
  });

  it('borrows a pool it is given and leaves it open when it closes', async () => {
    const pool = new Pool({ connectionString: databaseUrl(), max: 2 });
    try {
      const store = await openPostgresStore({ pool, schema: db.name });
      await store.checkpoints.commit(checkpointOf('t-pool', 1, [userMessage('a')]), {
        expectedHead: 0,
      });
      await store.close();
      const { rows } = await pool.query(`SELECT head FROM "${db.name}".threads`);
      expect(rows).toEqual([{ head: 1 }]);
    } finally {
      await pool.end();
    }
  });
});
