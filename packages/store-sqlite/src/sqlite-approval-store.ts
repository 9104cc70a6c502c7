import {
  type Approval,
  type ApprovalStore,
  approvalRecord,
  bindingKey,
  decodeStoreJson,
  encodeStoreJson,
  storeJsonCopy,
} from '@warden/agents';
import type { Connection } from './internal/connection.js';
import { corruptRow, rowChecksum, verifyRow } from './internal/row-checksum.js';

const TABLE = 'approvals';
const ROW = 'SELECT seq, nonce, binding, standing, used, body, sum FROM approvals WHERE nonce = ?';
const STANDING = `SELECT seq, nonce, binding, standing, used, body, sum FROM approvals
  WHERE binding = ? AND standing = 1 AND used = 0 ORDER BY seq`;
const NEXT_SEQ = 'SELECT coalesce(max(seq), 0) + 1 AS seq FROM approvals';
const INSERT = `INSERT INTO approvals (seq, nonce, binding, standing, used, body, sum)
  VALUES (?, ?, ?, ?, ?, ?, ?)`;
const USE = 'UPDATE approvals SET used = 1, sum = ? WHERE nonce = ? AND used = 0';

interface Row {
  seq: number;
  nonce: string;
  binding: string;
  standing: number;
  used: number;
  body: string;
  sum: string;
}

/**
 * Approvals and their nonces in SQLite. A used nonce stays used across restarts: `consume` is one
 * conditional UPDATE (`used = 0` to `used = 1`) inside a write transaction, so of any number of
 * processes consuming one nonce, exactly one is told it did.
 */
export class SqliteApprovalStore implements ApprovalStore {
  constructor(private readonly conn: Connection) {}

  async issue(approval: Approval): Promise<void> {
    const record = approvalRecord(storeJsonCopy(approval, 'approval'));
    const body = encodeStoreJson(record, 'approval');
    this.conn.checkSize(body, TABLE, { nonce: record.nonce });
    this.conn.write(() => {
      if (this.conn.statement(ROW).get(record.nonce) !== undefined) {
        throw new RangeError('nonce issued twice');
      }
      const { seq } = this.conn.statement(NEXT_SEQ).get() as { seq: number };
      const row: Omit<Row, 'sum'> = {
        seq,
        nonce: record.nonce,
        binding: bindingKey(record),
        standing: record.requestId === 'standing' ? 1 : 0,
        used: 0,
        body,
      };
      const fields = approvalFields(row);
      this.conn.statement(INSERT).run(...fields, rowChecksum(TABLE, fields));
    });
  }

  async get(nonce: string): Promise<Approval | undefined> {
    return this.conn.read(() => {
      const row = this.conn.statement(ROW).get(nonce) as Row | undefined;
      return row === undefined ? undefined : approvalOf(row);
    });
  }

  async consume(nonce: string): Promise<boolean> {
    return this.conn.write(() => {
      const row = this.conn.statement(ROW).get(nonce) as Row | undefined;
      if (row === undefined) return false;
      approvalOf(row);
      if (row.used === 1) return false;
      const sum = rowChecksum(TABLE, approvalFields({ ...row, used: 1 }));
      return this.conn.statement(USE).run(sum, nonce).changes === 1;
    });
  }

  async standing(key: string): Promise<readonly Approval[]> {
    return this.conn.read(() => (this.conn.statement(STANDING).all(key) as Row[]).map(approvalOf));
  }
}

function approvalOf(row: Row): Approval {
  const key = { nonce: row.nonce };
  verifyRow(TABLE, key, row.sum, approvalFields(row));
  const approval = decodeStoreJson(row.body, TABLE, key) as Approval | null;
  if (typeof approval !== 'object' || approval === null || approval.nonce !== row.nonce) {
    throw corruptRow(TABLE, key, 'does not hold the approval its columns name');
  }
  return approvalRecord(approval);
}

function approvalFields(row: Omit<Row, 'sum'>): (string | number)[] {
  return [row.seq, row.nonce, row.binding, row.standing, row.used, row.body];
}
