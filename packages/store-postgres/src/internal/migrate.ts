import { StoreError } from '@warden/agents';
import type { Database } from './database.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { corrupt } from './row-codec.js';

/**
 * Brings the schema up to this code's version, in one transaction under an advisory lock on the
 * schema's name, so nodes that start at once migrate it once, one after the other (the later ones
 * find nothing left to do). A schema written by a newer version is refused with `ERR_STORE_SCHEMA`
 * and left exactly as it was. `upTo` stops at an older version (to test upgrades from it).
 * Resolves with the version found before migrating.
 */
export async function migrate(db: Database, upTo = SCHEMA_VERSION): Promise<number> {
  const s = db.schema;
  return db.transaction(async (tx) => {
    await tx.run('SELECT pg_advisory_xact_lock(hashtext($1))', [`warden.migrate.${db.schemaName}`]);
    await tx.exec(`
      CREATE SCHEMA IF NOT EXISTS ${s};
      CREATE TABLE IF NOT EXISTS ${s}.meta (key text PRIMARY KEY, value text NOT NULL);
    `);
    const { rows } = await tx.run<{ value: string }>(
      `SELECT value FROM ${s}.meta WHERE key = 'schema_version'`,
    );
    const found = rows.length === 0 ? 0 : Number(rows[0]?.value);
    if (!Number.isSafeInteger(found) || found < 0) {
      throw corrupt(`meta/schema_version`, `the version ${rows[0]?.value} is not a number`);
    }
    if (found > SCHEMA_VERSION) {
      throw new StoreError(
        'ERR_STORE_SCHEMA',
        `the schema ${db.schemaName} is at version ${found}, newer than ${SCHEMA_VERSION} which this code knows: upgrade warden to use it`,
        { detail: { schema: db.schemaName, found, known: SCHEMA_VERSION } },
      );
    }
    for (const migration of MIGRATIONS) {
      if (migration.version > found && migration.version <= upTo) {
        await migration.apply(tx, s);
      }
    }
    const reached = Math.max(found, Math.min(upTo, SCHEMA_VERSION));
    if (reached !== found) {
      await tx.run(
        `INSERT INTO ${s}.meta (key, value) VALUES ('schema_version', $1)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
        [String(reached)],
      );
    }
    return found;
  });
}
