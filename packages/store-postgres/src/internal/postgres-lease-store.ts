import {
  type Acquired,
  type KeyLease,
  keyLeaseRecord,
  type LeaseStore,
  StoreError,
} from '@warden/agents';
import { checks } from '../postgres-store-options.js';
import type { Database } from './database.js';
import { corrupt, encodeRow } from './row-codec.js';
import { keyFromText, keyText, lookupText } from './row-key.js';

interface LeaseRow {
  readonly key: string;
  readonly owner: string;
  readonly token: string;
  readonly expires_at: number;
  readonly data: string | null;
}

/** How often `acquire` looks again when the holder released the key while it looked. */
const ATTEMPTS = 3;

/**
 * Leases in one table, one row per key that was ever granted. A released lease keeps its row
 * (owner cleared) so the next grant's token is still one more than the last: a fencing token
 * never repeats for a key. Every change is one statement on the key's row, so two nodes racing
 * for a free key serialise on it and exactly one is granted.
 */
export class PostgresLeaseStore implements LeaseStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async acquire(
    key: string,
    owner: string,
    ttlMs: number,
    now: number,
    data?: unknown,
  ): Promise<Acquired> {
    const keyColumn = keyText('key', key);
    const ownerColumn = keyText('owner', owner);
    checks.number('ttlMs', ttlMs, 0, true);
    checks.number('now', now, Number.NEGATIVE_INFINITY);
    const text =
      data === undefined
        ? null
        : encodeRow(JSON.stringify(['leases', key]), data, this.#db.maxRecordBytes).body;
    const s = this.#db.schema;
    for (let attempt = 1; ; attempt++) {
      // A live lease's owner keeps its token (and its data, unless it gives new data); a free,
      // released or expired key goes to the caller under the next token, the caller who held it
      // before its expiry included (whatever it still writes under the old token is refused).
      const { rows } = await this.#db.run<LeaseRow>(
        `INSERT INTO ${s}.leases AS l (key, owner, token, expires_at, data)
         VALUES ($1, $2, 1, $3::float8 + $4::float8, $5)
         ON CONFLICT (key) DO UPDATE SET
           owner = EXCLUDED.owner,
           token = CASE WHEN l.owner = EXCLUDED.owner AND $3::float8 < l.expires_at
                        THEN l.token ELSE l.token + 1 END,
           expires_at = EXCLUDED.expires_at,
           data = CASE WHEN EXCLUDED.data IS NOT NULL THEN EXCLUDED.data
                       WHEN l.owner = EXCLUDED.owner AND $3::float8 < l.expires_at THEN l.data END
         WHERE l.owner IS NULL OR l.owner = EXCLUDED.owner OR l.expires_at <= $3::float8
         RETURNING key, owner, token, expires_at, data`,
        [keyColumn, ownerColumn, now, ttlMs, text],
      );
      if (rows[0] !== undefined) return { acquired: true, lease: leaseOf(rows[0]) };
      const held = await this.current(key);
      if (held !== undefined) return { acquired: false, held };
      if (attempt >= ATTEMPTS) {
        throw new StoreError('ERR_STORE_UNAVAILABLE', `lease ${key}: it changed hands too often`);
      }
    }
  }

  async renew(lease: KeyLease, ttlMs: number, now: number): Promise<KeyLease> {
    checks.record('lease', lease);
    checks.number('ttlMs', ttlMs, 0, true);
    checks.number('now', now, Number.NEGATIVE_INFINITY);
    const { rows } = await this.#db.run<LeaseRow>(
      `UPDATE ${this.#db.schema}.leases SET expires_at = $4::float8 + $5::float8
       WHERE key = $1 AND owner = $2 AND token = $3
       RETURNING key, owner, token, expires_at, data`,
      [
        keyText('lease.key', lease.key),
        keyText('lease.owner', lease.owner),
        lease.token,
        now,
        ttlMs,
      ],
    );
    if (rows[0] === undefined) {
      throw new StoreError(
        'ERR_FENCED',
        `lease ${lease.key} is no longer held by ${lease.owner} under token ${lease.token}`,
        { detail: { key: lease.key, owner: lease.owner, token: lease.token } },
      );
    }
    return leaseOf(rows[0]);
  }

  async release(lease: KeyLease): Promise<boolean> {
    checks.record('lease', lease);
    const { rowCount } = await this.#db.run(
      `UPDATE ${this.#db.schema}.leases SET owner = NULL, data = NULL
       WHERE key = $1 AND owner = $2 AND token = $3`,
      [keyText('lease.key', lease.key), keyText('lease.owner', lease.owner), lease.token],
    );
    return rowCount === 1;
  }

  async current(key: string): Promise<KeyLease | undefined> {
    const keyColumn = lookupText(key);
    if (keyColumn === undefined) return undefined;
    const { rows } = await this.#db.run<LeaseRow>(
      `SELECT key, owner, token, expires_at, data FROM ${this.#db.schema}.leases
       WHERE key = $1 AND owner IS NOT NULL`,
      [keyColumn],
    );
    return rows[0] === undefined ? undefined : leaseOf(rows[0]);
  }
}

function leaseOf(row: LeaseRow): KeyLease {
  let data: unknown;
  if (row.data !== null) {
    try {
      data = JSON.parse(row.data);
    } catch (error) {
      throw corrupt(
        JSON.stringify(['leases', keyFromText(row.key)]),
        'its data is not JSON',
        error,
      );
    }
  }
  return Object.freeze(
    keyLeaseRecord({
      key: keyFromText(row.key),
      owner: keyFromText(row.owner),
      token: Number(row.token),
      expiresAt: row.expires_at,
      data,
    }),
  );
}
