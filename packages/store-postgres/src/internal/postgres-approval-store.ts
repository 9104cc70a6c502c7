import { type Approval, type ApprovalStore, approvalRecord, bindingKey } from '@warden/agents';
import { checks } from '../postgres-store-options.js';
import type { Database } from './database.js';
import { corrupt, decodeRow, encodeRow } from './row-codec.js';
import { keyFromText, keyText, lookupText } from './row-key.js';

const keyOf = (nonce: string): string => JSON.stringify(['approvals', nonce]);

/**
 * Approvals and their nonces in one table. A nonce is used by one conditional UPDATE, so of two
 * nodes presenting one approval at once exactly one gets it, and a used nonce stays used across
 * restarts of every node. An approval's record never changes after `issue`; only `used` does.
 */
export class PostgresApprovalStore implements ApprovalStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async issue(approval: Approval): Promise<void> {
    checks.record('approval', approval);
    const nonce = keyText('approval.nonce', approval.nonce);
    const row = encodeRow(keyOf(approval.nonce), approvalRecord(approval), this.#db.maxRecordBytes);
    const standing =
      approval.requestId === 'standing' ? keyText('bindingKey', bindingKey(approval)) : null;
    const { rowCount } = await this.#db.run(
      `INSERT INTO ${this.#db.schema}.approvals (nonce, binding_key, body, checksum)
       VALUES ($1, $2, $3, $4) ON CONFLICT (nonce) DO NOTHING`,
      [nonce, standing, row.body, row.checksum],
    );
    if (rowCount !== 1) throw new RangeError('nonce issued twice');
  }

  async get(nonce: string): Promise<Approval | undefined> {
    const nonceColumn = lookupText(nonce);
    if (nonceColumn === undefined) return undefined;
    const { rows } = await this.#db.run<{ body: string; checksum: string }>(
      `SELECT body, checksum FROM ${this.#db.schema}.approvals WHERE nonce = $1`,
      [nonceColumn],
    );
    return rows[0] === undefined
      ? undefined
      : decodeApproval(nonce, rows[0].body, rows[0].checksum);
  }

  async consume(nonce: string): Promise<boolean> {
    const nonceColumn = lookupText(nonce);
    if (nonceColumn === undefined) return false;
    const { rowCount } = await this.#db.run(
      `UPDATE ${this.#db.schema}.approvals SET used = true WHERE nonce = $1 AND NOT used`,
      [nonceColumn],
    );
    return rowCount === 1;
  }

  async standing(key: string): Promise<readonly Approval[]> {
    if (typeof key !== 'string') throw checks.invalid('bindingKey', key, 'a string');
    const { rows } = await this.#db.run<{ nonce: string; body: string; checksum: string }>(
      `SELECT nonce, body, checksum FROM ${this.#db.schema}.approvals
       WHERE binding_key = $1 AND NOT used ORDER BY position`,
      [keyText('bindingKey', key)],
    );
    return rows.map((row) => decodeApproval(keyFromText(row.nonce), row.body, row.checksum));
  }
}

function decodeApproval(nonce: string, body: string, checksum: string): Approval {
  const approval = decodeRow(keyOf(nonce), body, checksum) as Approval | null;
  if (typeof approval !== 'object' || approval === null || approval.nonce !== nonce) {
    throw corrupt(keyOf(nonce), 'it does not hold an approval');
  }
  return Object.freeze(approvalRecord(approval));
}
