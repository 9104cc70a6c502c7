import { StoreError } from '@warden/agents';
import type Database from 'better-sqlite3';
import type { Migration } from './schema.js';

const META = 'CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT';
const HAS_META = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'";
const ANY_TABLE = "SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1";
const VERSION = "SELECT value FROM meta WHERE key = 'schema_version'";
const SET_VERSION =
  "INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value";

/**
 * The schema version a database records: 0 for an empty database. A database with tables but no
 * version is not a warden store, and one written by a newer schema than `known` is refused
 * (`ERR_STORE_SCHEMA`); both before anything is written to it.
 */
export function schemaVersion(db: Database.Database, known: number): number {
  if (db.prepare(HAS_META).get() === undefined) {
    if (db.prepare(ANY_TABLE).get() !== undefined) {
      throw new StoreError(
        'ERR_STORE_SCHEMA',
        'the database has tables but is not a warden store',
        {
          detail: { found: undefined, known },
        },
      );
    }
    return 0;
  }
  const row = db.prepare(VERSION).get() as { value: string } | undefined;
  const found = row === undefined ? 0 : Number(row.value);
  if (!Number.isSafeInteger(found) || found < 0) {
    throw new StoreError(
      'ERR_STORE_CORRUPT',
      `meta schema_version is not a version: ${row?.value}`,
      {
        detail: { table: 'meta', key: { key: 'schema_version' } },
      },
    );
  }
  if (found > known) {
    throw new StoreError(
      'ERR_STORE_SCHEMA',
      `the database has schema version ${found}, newer than the ${known} this code knows: upgrade warden to open it`,
      { detail: { found, known } },
    );
  }
  return found;
}

/**
 * Brings the database to the last of `migrations`, applying those after its version in order,
 * all in one transaction with the version they reach: a failure anywhere leaves the database as
 * it was. Two processes opening one file at once are fine: the second waits for the lock, then
 * finds the work done.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[]): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new RangeError(`migration ${i} has version ${m.version}`);
  });
  const known = migrations.length;
  const apply = db.transaction(() => {
    const from = schemaVersion(db, known);
    db.prepare(META).run();
    for (const migration of migrations) {
      if (migration.version <= from) continue;
      for (const sql of migration.statements) db.prepare(sql).run();
    }
    if (from < known) db.prepare(SET_VERSION).run(String(known));
    return known;
  });
  return apply.immediate();
}
