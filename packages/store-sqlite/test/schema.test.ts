// The schema is versioned: migrations apply in order, all or nothing, and a database this code
// does not know is refused before anything is written to it.
import { readFileSync } from 'node:fs';
import { isStoreError } from '@warden/agents';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, SCHEMA_VERSION } from '../src/index.js';
import { migrate } from '../src/migrate.js';
import type { Migration } from '../src/schema.js';
import { tempFolder } from './temp-db.js';

let folder: ReturnType<typeof tempFolder>;
beforeEach(() => {
  folder = tempFolder();
});
afterEach(() => folder.remove());

function versionOf(db: Database.Database): string | undefined {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
    | { value: string }
    | undefined;
  return row?.value;
}

async function refusal(attempt: () => Promise<unknown>): Promise<unknown> {
  try {
    await attempt();
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

const V1: Migration = {
  version: 1,
  statements: ['CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL) STRICT'],
};
const V2: Migration = {
  version: 2,
  statements: [
    "ALTER TABLE notes ADD COLUMN author TEXT NOT NULL DEFAULT 'unknown'",
    'CREATE INDEX notes_by_author ON notes (author)',
  ],
};
const BROKEN_V3: Migration = {
  version: 3,
  statements: ['CREATE TABLE tags (id INTEGER PRIMARY KEY) STRICT', 'THIS IS NOT SQL'],
};

describe('openSqliteStore: schema versions', () => {
  it('records the current version in a new database and keeps it on reopening', async () => {
    const path = folder.file('new.db');
    const store = await openSqliteStore({ path });
    await store.audit.append(
      { kind: 'allowed', agent: 'a', threadId: 't', tool: 'x', key: 'k', argsHash: 'h' },
      1,
    );
    await store.close();
    const reopened = await openSqliteStore({ path });
    expect((await reopened.audit.entries()).length).toBe(1);
    await reopened.close();
    const db = new Database(path);
    expect(versionOf(db)).toBe(String(SCHEMA_VERSION));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses a database of a newer schema with ERR_STORE_SCHEMA, leaving the file as it was', async () => {
    const path = folder.file('newer.db');
    await (await openSqliteStore({ path })).close();
    const db = new Database(path);
    db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(
      String(SCHEMA_VERSION + 1),
    );
    db.close();
    const before = readFileSync(path);
    const error = await refusal(() => openSqliteStore({ path }));
    expect(isStoreError(error, 'ERR_STORE_SCHEMA')).toBe(true);
    expect(isStoreError(error) && error.detail).toEqual({
      found: SCHEMA_VERSION + 1,
      known: SCHEMA_VERSION,
    });
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a database of something else with ERR_STORE_SCHEMA, adding nothing to it', async () => {
    const path = folder.file('other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)');
    db.close();
    const before = readFileSync(path);
    const error = await refusal(() => openSqliteStore({ path }));
    expect(isStoreError(error, 'ERR_STORE_SCHEMA')).toBe(true);
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});

describe('migrate', () => {
  it('takes an older database to the newest version, applying only the missing migrations', () => {
    const db = new Database(folder.file('old.db'));
    expect(migrate(db, [V1])).toBe(1);
    db.prepare('INSERT INTO notes (text) VALUES (?)').run('written at version 1');
    expect(migrate(db, [V1, V2])).toBe(2);
    expect(versionOf(db)).toBe('2');
    expect(db.prepare('SELECT text, author FROM notes').all()).toEqual([
      { text: 'written at version 1', author: 'unknown' },
    ]);
    // Again: nothing left to apply (the ALTER would fail if it ran twice).
    expect(migrate(db, [V1, V2])).toBe(2);
    db.close();
  });

  it('applies migrations all or nothing: one failing statement leaves the database as it was', () => {
    const db = new Database(folder.file('broken.db'));
    migrate(db, [V1, V2]);
    expect(() => migrate(db, [V1, V2, BROKEN_V3])).toThrow(/syntax error/);
    expect(versionOf(db)).toBe('2');
    const tags = db.prepare("SELECT name FROM sqlite_master WHERE name = 'tags'").get();
    expect(tags).toBeUndefined();
    db.close();
  });

  it('refuses a list of migrations out of order', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [V2])).toThrow(RangeError);
    expect(db.prepare('SELECT count(*) AS n FROM sqlite_master').get()).toEqual({ n: 0 });
    db.close();
  });
});
