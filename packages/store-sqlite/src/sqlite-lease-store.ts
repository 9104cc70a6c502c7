import {
  type Acquired,
  acquireLease,
  decodeStoreJson,
  encodeStoreJson,
  heldUnder,
  type KeyLease,
  keyLeaseRecord,
  type LeaseRow,
  type LeaseStore,
  renewLease,
  storeJsonCopy,
} from '@warden/agents';
import type { Connection } from './internal/connection.js';
import { rowChecksum, verifyRow } from './internal/row-checksum.js';

const TABLE = 'leases';
const READ = 'SELECT key, owner, token, expires_at, released, data, sum FROM leases WHERE key = ?';
const WRITE = `INSERT INTO leases (key, owner, token, expires_at, released, data, sum)
  VALUES (@key, @owner, @token, @expiresAt, @released, @data, @sum)
  ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, token = excluded.token,
    expires_at = excluded.expires_at, released = excluded.released, data = excluded.data,
    sum = excluded.sum`;

interface Row {
  key: string;
  owner: string;
  token: number;
  expires_at: number;
  released: number;
  data: string | null;
  sum: string;
}

/**
 * Leases in SQL, one row per key, so every process on the file sees one owner per key. Each
 * decision (`acquireLease`, `renewLease`) is made on the row as read inside a write transaction
 * and written in the same one, so two nodes racing for a key cannot both get it. A released
 * lease keeps its row and token: the next grant goes on from it.
 */
export class SqliteLeaseStore implements LeaseStore {
  constructor(private readonly conn: Connection) {}

  async acquire(
    key: string,
    owner: string,
    ttlMs: number,
    now: number,
    data?: unknown,
  ): Promise<Acquired> {
    const copy = storeJsonCopy(data, 'lease data');
    return this.conn.write(() => {
      const answer = acquireLease(readLease(this.conn, key), key, owner, ttlMs, now, copy);
      if (answer.acquired) writeLease(this.conn, { lease: answer.lease, released: false });
      return answer;
    });
  }

  async renew(lease: KeyLease, ttlMs: number, now: number): Promise<KeyLease> {
    return this.conn.write(() => {
      const renewed = renewLease(readLease(this.conn, lease.key), lease, ttlMs, now);
      writeLease(this.conn, { lease: renewed, released: false });
      return renewed;
    });
  }

  async release(lease: KeyLease): Promise<boolean> {
    return this.conn.write(() => {
      const row = readLease(this.conn, lease.key);
      if (!heldUnder(row, lease.token)) return false;
      writeLease(this.conn, { lease: row.lease, released: true });
      return true;
    });
  }

  async current(key: string): Promise<KeyLease | undefined> {
    return this.conn.read(() => {
      const row = readLease(this.conn, key);
      return row === undefined || row.released ? undefined : row.lease;
    });
  }
}

/** The key's lease row, checked; also what a fenced commit reads in its own transaction. */
export function readLease(conn: Connection, key: string): LeaseRow | undefined {
  const row = conn.statement(READ).get(key) as Row | undefined;
  if (row === undefined) return undefined;
  verifyRow(TABLE, { key }, row.sum, fieldsOf(row));
  const data = row.data === null ? undefined : decodeStoreJson(row.data, TABLE, { key });
  return {
    lease: keyLeaseRecord({
      key: row.key,
      owner: row.owner,
      token: row.token,
      expiresAt: row.expires_at,
      data,
    }),
    released: row.released === 1,
  };
}

function writeLease(conn: Connection, { lease, released }: LeaseRow): void {
  const data = lease.data === undefined ? null : encodeStoreJson(lease.data, 'lease data');
  if (data !== null) conn.checkSize(data, TABLE, { key: lease.key });
  const row: Omit<Row, 'sum'> = {
    key: lease.key,
    owner: lease.owner,
    token: lease.token,
    expires_at: lease.expiresAt,
    released: released ? 1 : 0,
    data,
  };
  conn.statement(WRITE).run({
    key: row.key,
    owner: row.owner,
    token: row.token,
    expiresAt: row.expires_at,
    released: row.released,
    data: row.data,
    sum: rowChecksum(TABLE, fieldsOf(row)),
  });
}

function fieldsOf(row: Omit<Row, 'sum'>): (string | number | null)[] {
  return [row.key, row.owner, row.token, row.expires_at, row.released, row.data];
}
