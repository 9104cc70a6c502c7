// The journal finds one call's entries through an index (schema 6): on rows the schema-5 store
// wrote, which the upgrade gives the call's columns, and on rows written since.
import { type AgentStore, type EffectEntry, isStoreError } from '@warden/agents';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, SCHEMA_VERSION } from '../src/index.js';
import { migrate } from '../src/migrate.js';
import { MIGRATIONS } from '../src/schema.js';
import { journalCalls, SCHEMA_5_JOURNAL_ROWS } from './schema-5-journal-rows.js';
import { tempFolder } from './temp-db.js';

let folder: ReturnType<typeof tempFolder>;
beforeEach(() => {
  folder = tempFolder();
});
afterEach(() => folder.remove());

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

/** A file at schema version 5 holding the journal rows the schema-5 store wrote. */
function schema5File(name: string, edit?: (db: Database.Database) => void): string {
  const path = folder.file(name);
  const db = new Database(path);
  try {
    expect(migrate(db, MIGRATIONS.slice(0, 5))).toBe(5);
    const insert = db.prepare(`INSERT INTO journal
      (seq, key, thread, version, state, begun_step, body, sum)
      VALUES (@seq, @key, @thread, @version, @state, @begun_step, @body, @sum)`);
    db.transaction(() => {
      for (const row of SCHEMA_5_JOURNAL_ROWS) insert.run(row);
    })();
    edit?.(db);
  } finally {
    db.close();
  }
  return path;
}

function rowsOf(path: string, sql: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

async function expectCallsListed(store: AgentStore): Promise<void> {
  for (const [thread, tool, argsHash] of CALLS) {
    const all = await store.journal.list(thread);
    const expected = all.filter((e) => e.tool === tool && e.argsHash === argsHash);
    expect(await store.journal.listCall?.(thread, tool, argsHash)).toEqual(expected);
  }
}

const keys = (entries: readonly EffectEntry[] | undefined) => entries?.map((e) => e.key);

describe('the journal on a database of schema version 5', () => {
  it('upgrades it in place, giving each row its call, and lists a call as list filtered', async () => {
    const path = schema5File('v5.db');
    const store = await openSqliteStore({ path });
    const fresh = await openSqliteStore({ path: ':memory:' });
    await journalCalls(fresh);
    // The rows read as the entries the calls wrote.
    for (const thread of ['t', 'u']) {
      expect(await store.journal.list(thread)).toEqual(await fresh.journal.list(thread));
    }
    await expectCallsListed(store);
    expect(keys(await store.journal.listCall?.('t', 'refund', A))).toEqual(['t:1:0', 't:4:0']);
    await fresh.close();
    await store.close();
    expect(rowsOf(path, "SELECT value FROM meta WHERE key = 'schema_version'")).toEqual([
      { value: String(SCHEMA_VERSION) },
    ]);
    // The old columns are as they were written; the call's are copied out of the body.
    const columns = 'seq, key, thread, version, state, begun_step, body, sum';
    expect(rowsOf(path, `SELECT ${columns} FROM journal ORDER BY seq`)).toEqual(
      SCHEMA_5_JOURNAL_ROWS,
    );
    expect(rowsOf(path, 'SELECT key, tool, args_hash FROM journal ORDER BY seq')).toEqual([
      { key: 't:1:0', tool: 'refund', args_hash: A },
      { key: 't:2:0', tool: 'lookup', args_hash: B },
      { key: 'u:1:0', tool: 'refund', args_hash: A },
      { key: 't:3:0', tool: 'refund', args_hash: C },
      { key: 't:4:0', tool: 'refund', args_hash: A },
    ]);
  });

  it('goes on moving the upgraded entries and beginning new ones of the same call', async () => {
    const store = await openSqliteStore({ path: schema5File('v5-next.db') });
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
    await store.close();
  });

  it('upgrades past a damaged row, which every listing of its thread then reports', async () => {
    const path = schema5File('v5-damaged.db', (db) => {
      db.prepare("UPDATE journal SET body = substr(body, 1, 40) WHERE key = 't:3:0'").run();
    });
    const store = await openSqliteStore({ path });
    const isCorrupt = (e: unknown) =>
      isStoreError(e, 'ERR_STORE_CORRUPT') &&
      JSON.stringify(e.detail) === JSON.stringify({ table: 'journal', key: { key: 't:3:0' } });
    await expect(store.journal.list('t')).rejects.toSatisfy(isCorrupt);
    await expect(store.journal.listCall?.('t', 'refund', A)).rejects.toSatisfy(isCorrupt);
    await expect(store.journal.listCall?.('t', 'lookup', B)).rejects.toSatisfy(isCorrupt);
    // Another thread's calls are read as they are.
    expect(keys(await store.journal.listCall?.('u', 'refund', A))).toEqual(['u:1:0']);
    await store.close();
    expect(rowsOf(path, "SELECT tool, args_hash FROM journal WHERE key = 't:3:0'")).toEqual([
      { tool: null, args_hash: null },
    ]);
  });
});

it("reads one call's rows only: a damaged entry of another call of the thread is not read", async () => {
  const path = folder.file('calls.db');
  const store = await openSqliteStore({ path });
  await journalCalls(store);
  await store.close();
  const db = new Database(path);
  db.prepare(
    "UPDATE journal SET body = replace(body, 'clerk', 'cleric') WHERE key = 't:3:0'",
  ).run();
  db.close();
  const reopened = await openSqliteStore({ path });
  await expect(reopened.journal.list('t')).rejects.toSatisfy((e) =>
    isStoreError(e, 'ERR_STORE_CORRUPT'),
  );
  expect(keys(await reopened.journal.listCall?.('t', 'refund', A))).toEqual(['t:1:0', 't:4:0']);
  expect(keys(await reopened.journal.listCall?.('t', 'lookup', B))).toEqual(['t:2:0']);
  await expect(reopened.journal.listCall?.('t', 'refund', C)).rejects.toSatisfy((e) =>
    isStoreError(e, 'ERR_STORE_CORRUPT'),
  );
  await reopened.close();
});
