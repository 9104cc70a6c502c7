import {
  type AuditEntry,
  type AuditLog,
  type AuditRecord,
  auditEntryRecord,
  decodeStoreJson,
  encodeStoreJson,
  entryHash,
  GENESIS,
} from '@warden/agents';
import type { Connection } from './internal/connection.js';
import { corruptRow, rowChecksum, verifyRow } from './internal/row-checksum.js';

const TABLE = 'audit';
const LAST = 'SELECT seq, body, sum FROM audit ORDER BY seq DESC LIMIT 1';
const ALL = 'SELECT seq, body, sum FROM audit ORDER BY seq';
const INSERT = 'INSERT INTO audit (seq, body, sum) VALUES (?, ?, ?)';

interface Row {
  seq: number;
  body: string;
  sum: string;
}

/**
 * The hash-chained audit log in SQLite. An append reads the last entry and writes the next, its
 * `prev` that entry's hash, in one write transaction: appends from any number of processes form
 * one chain with no gap in `seq`. The chain is what `verifyAuditChain` checks; each row's
 * checksum only catches a damaged row sooner, by name.
 */
export class SqliteAuditLog implements AuditLog {
  constructor(private readonly conn: Connection) {}

  async append(record: AuditRecord, at: number): Promise<AuditEntry> {
    return this.conn.writeWhen(this.#lazy(record) ? 'lazily' : 'synced', () => {
      const last = this.conn.statement(LAST).get() as Row | undefined;
      const seq = last === undefined ? 0 : last.seq + 1;
      const prev = last === undefined ? GENESIS : auditEntry(last).hash;
      const entry = auditEntryRecord({ ...record, seq, at, prev, hash: '' } as AuditEntry);
      const chained = { ...entry, hash: entryHash(entry) };
      const body = encodeStoreJson(chained, 'audit entry');
      this.conn.checkSize(body, TABLE, { seq });
      this.conn.statement(INSERT).run(seq, body, rowChecksum(TABLE, [seq, body]));
      return chained;
    });
  }

  /**
   * What comes before a call runs (asked, allowed, denied) is synced by the journal's synced
   * `executing` if it does run; what comes after it (`executed`, its `result`) is synced at once
   * unless the call is a read. So a call that may have an effect has each of its entries on the
   * disk before its next step, as when every write was synced; a read's may wait for the next sync.
   */
  #lazy(record: AuditRecord): boolean {
    const kind = record.kind;
    return (
      kind === 'requested' ||
      kind === 'allowed' ||
      kind === 'denied' ||
      this.conn.isKnownRead(record.key)
    );
  }

  async entries(): Promise<readonly AuditEntry[]> {
    return this.conn.read(() => (this.conn.statement(ALL).all() as Row[]).map(auditEntry));
  }
}

function auditEntry(row: Row): AuditEntry {
  const key = { seq: row.seq };
  verifyRow(TABLE, key, row.sum, [row.seq, row.body]);
  const entry = decodeStoreJson(row.body, TABLE, key) as AuditEntry | null;
  if (typeof entry !== 'object' || entry === null || entry.seq !== row.seq) {
    throw corruptRow(TABLE, key, 'does not hold the entry its seq names');
  }
  return auditEntryRecord(entry);
}
