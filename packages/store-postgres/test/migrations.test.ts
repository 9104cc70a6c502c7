import { isStoreError } from '@warden/agents';
import { systemClock } from '@warden/core';
import { afterEach, describe, expect, it } from 'vitest';
import { Database } from '../src/internal/database.js';
import { migrate } from '../src/internal/migrate.js';
import { SCHEMA_VERSION } from '../src/internal/migrations.js';
import { PostgresCheckpointStore } from '../src/internal/postgres-checkpoint-store.js';
import { resolveOptions } from '../src/postgres-store-options.js';
import { checkpointOf, userMessage } from './checkpoint-fixtures.js';
import { databaseUrl, type TestSchema, testSchema } from './test-database.js';

const schemas: TestSchema[] = [];
afterEach(async () => {
  for (const schema of schemas.splice(0)) await schema.drop();
});

function fresh(): TestSchema {
  const schema = testSchema('migrations');
  schemas.push(schema);
  return schema;
}

const version = async (db: TestSchema) =>
  (await db.sql<{ value: string }>(`SELECT value FROM meta WHERE key = 'schema_version'`))[0]
    ?.value;

describe('schema migrations', () => {
  it('creates the schema at the current version on first open', async () => {
    const db = fresh();
    await db.open();
    expect(await version(db)).toBe(String(SCHEMA_VERSION));
  });

  it('upgrades a schema of an older version in place, keeping what it holds', async () => {
    const db = fresh();
    const old = new Database(resolveOptions({ connectionString: databaseUrl(), schema: db.name }));
    expect(await migrate(old, 1)).toBe(0);
    const messages = [userMessage('written by the older version')];
    await new PostgresCheckpointStore(old, systemClock).commit(checkpointOf('t-old', 1, messages), {
      expectedHead: 0,
    });
    await old.close();
    expect(await version(db)).toBe('1');
    await expect(db.sql('SELECT 1 FROM leases')).rejects.toThrow(/does not exist/);

    const store = await db.open();
    expect(await version(db)).toBe(String(SCHEMA_VERSION));
    expect((await store.checkpoints.latest('t-old'))?.messages).toEqual(messages);
    expect(await store.leases.acquire('k', 'node', 1_000, 0)).toMatchObject({ acquired: true });
  });

  it('refuses a schema of a newer version with ERR_STORE_SCHEMA and leaves it as it was', async () => {
    const db = fresh();
    const store = await db.open();
    await store.checkpoints.commit(checkpointOf('t-kept', 1, [userMessage('kept')]), {
      expectedHead: 0,
    });
    await db.sql(`UPDATE meta SET value = '99' WHERE key = 'schema_version'`);
    const opening = db.open();
    await expect(opening).rejects.toSatisfy((e) => isStoreError(e, 'ERR_STORE_SCHEMA'));
    await expect(opening).rejects.toMatchObject({ detail: { found: 99, known: SCHEMA_VERSION } });
    expect(await version(db)).toBe('99');
    expect(await db.sql('SELECT thread_id FROM threads')).toEqual([{ thread_id: 't-kept' }]);
  });

  it('refuses a version that is not a number with ERR_STORE_CORRUPT', async () => {
    const db = fresh();
    await db.open();
    await db.sql(`UPDATE meta SET value = 'two' WHERE key = 'schema_version'`);
    await expect(db.open()).rejects.toSatisfy((e) => isStoreError(e, 'ERR_STORE_CORRUPT'));
  });

  it('migrates once when many nodes open a new schema at the same moment', async () => {
    const db = fresh();
    const stores = await Promise.all(Array.from({ length: 8 }, () => db.open()));
    expect(stores).toHaveLength(8);
    expect(await version(db)).toBe(String(SCHEMA_VERSION));
    expect(await db.sql('SELECT id, next_seq::int AS next FROM audit_head')).toEqual([
      { id: 1, next: 0 },
    ]);
  });
});
