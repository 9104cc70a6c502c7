// The journal finds one call's entries through an index (schema 3): on rows the schema-2 store
// wrote, which the upgrade gives the call's columns, and on rows written since.
import { type EffectEntry, isStoreError } from '@warden/agents';
import { afterEach, describe, expect, it } from 'vitest';
import type { PostgresAgentStore } from '../src/index.js';
import { Database } from '../src/internal/database.js';
import { migrate } from '../src/internal/migrate.js';
import { SCHEMA_VERSION } from '../src/internal/migrations.js';
import { resolveOptions } from '../src/postgres-store-options.js';
import { SCHEMA_2_JOURNAL_ROWS } from './schema-2-journal-rows.js';
import { databaseUrl, type TestSchema, testSchema } from './test-database.js';

const schemas: TestSchema[] = [];
afterEach(async () => {
  for (const schema of schemas.splice(0)) await schema.drop();
});

const A = 'a1'.repeat(32);
const B = 'b2'.repeat(32);
const C = 'c3'.repeat(32);
const CALLS = [
  ['t', 'refund', A],
  ['t', 'refund', C],
  ['t', 'lookup', B],
  ['t', 'lookup', A],
  ['u', 'refund', A],
  ['v', 'refund', A],
] as const;
const COLUMNS =
  'key, thread_id, position::int AS position, begun_step, version, state, body, checksum';

/** A schema at version 2 holding the journal rows the schema-2 store wrote. */
async function schema2(edit?: string): Promise<TestSchema> {
  const db = testSchema('journal_calls');
  schemas.push(db);
  const old = new Database(resolveOptions({ connectionString: databaseUrl(), schema: db.name }));
  expect(await migrate(old, 2)).toBe(0);
  await old.close();
  for (const row of SCHEMA_2_JOURNAL_ROWS) {
    await db.sql(
      `INSERT INTO journal (key, thread_id, position, begun_step, version, state, body, checksum)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        row.key,
        row.thread_id,
        row.position,
        row.begun_step,
        row.version,
        row.state,
        row.body,
        row.checksum,
      ],
    );
  }
  await db.sql(
    `SELECT setval(pg_get_serial_sequence('journal', 'position'), max(position)) FROM journal`,
  );
  if (edit !== undefined) await db.sql(edit);
  return db;
}

async function expectCallsListed(store: PostgresAgentStore): Promise<void> {
  for (const [thread, tool, argsHash] of CALLS) {
    const all = await store.journal.list(thread);
    const expected = all.filter((e) => e.tool === tool && e.argsHash === argsHash);
    expect(await store.journal.listCall?.(thread, tool, argsHash)).toEqual(expected);
  }
}

const keys = (entries: readonly EffectEntry[] | undefined) => entries?.map((e) => e.key);

describe('the journal on a schema of version 2', () => {
  it('upgrades it in place, giving each row its call, and lists a call as list filtered', async () => {
    const db = await schema2();
    const store = await db.open();
    expect(await db.sql(`SELECT value FROM meta WHERE key = 'schema_version'`)).toEqual([
      { value: String(SCHEMA_VERSION) },
    ]);
    await expectCallsListed(store);
    expect(keys(await store.journal.listCall?.('t', 'refund', A))).toEqual(['t:1:0', 't:4:0']);
    expect(keys(await store.journal.listCall?.('t', 'refund', C))).toEqual(['t:3:0']);
    expect(await store.journal.get('t:1:0')).toMatchObject({
      state: 'done',
      result: { refunded: true, order: 1 },
    });
    // The old columns are as they were written; the call's are copied out of the body.
    expect(await db.sql(`SELECT ${COLUMNS} FROM journal ORDER BY position`)).toEqual(
      SCHEMA_2_JOURNAL_ROWS,
    );
    expect(await db.sql('SELECT key, tool, args_hash FROM journal ORDER BY position')).toEqual([
      { key: 't:1:0', tool: 'refund', args_hash: A },
      { key: 't:2:0', tool: 'lookup', args_hash: B },
      { key: 'u:1:0', tool: 'refund', args_hash: A },
      { key: 't:3:0', tool: 'refund', args_hash: C },
      { key: 't:4:0', tool: 'refund', args_hash: A },
    ]);
  });

  it('goes on moving the upgraded entries and beginning new ones of the same call', async () => {
    const db = await schema2();
    const store = await db.open();
    await store.journal.advance('t:4:0', 3, { state: 'done', at: 4003, result: { order: 1 } });
    await store.journal.begin({
      key: 't:5:0',
      agent: 'clerk',
      threadId: 't',
      tool: 'refund',
      effect: 'irreversible',
      argsHash: A,
      scopes: ['payments'],
      at: 5000,
    });
    const listed = await store.journal.listCall?.('t', 'refund', A);
    expect(keys(listed)).toEqual(['t:1:0', 't:4:0', 't:5:0']);
    expect(listed?.[1]).toMatchObject({ state: 'done', version: 4, result: { order: 1 } });
    await expectCallsListed(store);
  });

  it('upgrades past a damaged row, which every listing of its thread then reports', async () => {
    const db = await schema2(
      `UPDATE journal SET body = replace(body, 'clerk', 'cleric') WHERE key = 't:3:0'`,
    );
    const store = await db.open();
    const isCorrupt = (e: unknown) =>
      isStoreError(e, 'ERR_STORE_CORRUPT') &&
      JSON.stringify(e.detail) === JSON.stringify({ row: '["journal","t:3:0"]' });
    await expect(store.journal.list('t')).rejects.toSatisfy(isCorrupt);
    await expect(store.journal.listCall?.('t', 'refund', A)).rejects.toSatisfy(isCorrupt);
    await expect(store.journal.listCall?.('t', 'lookup', B)).rejects.toSatisfy(isCorrupt);
    // Another thread's calls are read as they are.
    expect(keys(await store.journal.listCall?.('u', 'refund', A))).toEqual(['u:1:0']);
    expect(await db.sql(`SELECT tool, args_hash FROM journal WHERE key = 't:3:0'`)).toEqual([
      { tool: null, args_hash: null },
    ]);
  });
});

it("reads one call's rows only: a damaged entry of another call of the thread is not read", async () => {
  const db = await schema2();
  const store = await db.open();
  await db.sql(`UPDATE journal SET body = replace(body, 'clerk', 'cleric') WHERE key = 't:3:0'`);
  await expect(store.journal.list('t')).rejects.toSatisfy((e) =>
    isStoreError(e, 'ERR_STORE_CORRUPT'),
  );
  expect(keys(await store.journal.listCall?.('t', 'refund', A))).toEqual(['t:1:0', 't:4:0']);
  expect(keys(await store.journal.listCall?.('t', 'lookup', B))).toEqual(['t:2:0']);
  await expect(store.journal.listCall?.('t', 'refund', C)).rejects.toSatisfy((e) =>
    isStoreError(e, 'ERR_STORE_CORRUPT'),
  );
});
