import {
  type AuditEntry,
  type AuditLog,
  type AuditRecord,
  auditEntryRecord,
  entryHash,
} from '@warden/agents';
import { checks } from '../postgres-store-options.js';
import type { Database } from './database.js';
import { corrupt, encodeRow } from './row-codec.js';

const keyOf = (seq: number | string): string => JSON.stringify(['audit', Number(seq)]);

/**
 * The hash-chained audit log in PostgreSQL, one chain for every node sharing the schema. An append
 * locks the chain's head row, so appends from several nodes queue on it and each entry chains to
 * the one committed before it: the chain has no fork and no gap. An entry is kept as its JSON
 * text, with no checksum of its own: the chain is its checksum, and an edited entry is left for
 * `verifyAuditChain` to find (and name), not hidden behind a read error.
 */
export class PostgresAuditLog implements AuditLog {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async append(record: AuditRecord, at: number): Promise<AuditEntry> {
    checks.record('record', record);
    checks.number('at', at, Number.NEGATIVE_INFINITY);
    const s = this.#db.schema;
    return this.#db.transaction(async (tx) => {
      const { rows } = await tx.run<{ next_seq: string; hash: string }>(
        `SELECT next_seq, hash FROM ${s}.audit_head WHERE id = 1 FOR UPDATE`,
      );
      const head = rows[0];
      if (head === undefined) throw corrupt(JSON.stringify(['audit_head', 1]), 'it is missing');
      const entry: AuditEntry = {
        kind: record.kind,
        agent: record.agent,
        threadId: record.threadId,
        tool: record.tool,
        key: record.key,
        argsHash: record.argsHash,
        by: record.by,
        detail: record.detail,
        seq: Number(head.next_seq),
        at,
        prev: head.hash,
        hash: '',
      };
      (entry as { hash: string }).hash = entryHash(entry);
      const row = encodeRow(keyOf(entry.seq), entry, this.#db.maxRecordBytes);
      await tx.run(`INSERT INTO ${s}.audit (seq, body) VALUES ($1, $2)`, [entry.seq, row.body]);
      await tx.run(`UPDATE ${s}.audit_head SET next_seq = $1, hash = $2 WHERE id = 1`, [
        entry.seq + 1,
        entry.hash,
      ]);
      return Object.freeze(entry);
    });
  }

  async entries(): Promise<readonly AuditEntry[]> {
    const { rows } = await this.#db.run<{ seq: string; body: string }>(
      `SELECT seq, body FROM ${this.#db.schema}.audit ORDER BY seq`,
    );
    return rows.map((row) => {
      let entry: AuditEntry;
      try {
        entry = JSON.parse(row.body) as AuditEntry;
      } catch (error) {
        throw corrupt(keyOf(row.seq), 'it is not JSON', error);
      }
      if (typeof entry !== 'object' || entry === null) {
        throw corrupt(keyOf(row.seq), 'it does not hold an audit entry');
      }
      return Object.freeze(auditEntryRecord(entry));
    });
  }
}
