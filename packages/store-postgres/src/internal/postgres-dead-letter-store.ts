import { deadLetterRecord } from '@warden/agents';
import type { DeadLetterEntry, DeadLetterStore } from '@warden/resilience';
import { checks } from '../postgres-store-options.js';
import type { Database } from './database.js';
import { corrupt, decodeRow, encodeRow } from './row-codec.js';
import { keyFromText, keyText, lookupText } from './row-key.js';

const keyOf = (queue: string, id: string): string => JSON.stringify(['dead_letters', queue, id]);

/**
 * The dead letters of one named queue: `list` oldest first, and `put` of a known id replaces the
 * entry in its place (an entry's position is its first `put`).
 */
export class PostgresDeadLetterStore<I = unknown> implements DeadLetterStore<I> {
  readonly #db: Database;
  readonly #queue: string;
  readonly #queueColumn: string;

  constructor(db: Database, queue: string) {
    this.#db = db;
    this.#queue = queue;
    this.#queueColumn = keyText('queue', queue);
  }

  async put(entry: DeadLetterEntry<I>): Promise<void> {
    checks.record('entry', entry);
    const idColumn = keyText('entry.id', entry.id);
    const row = encodeRow(
      keyOf(this.#queue, entry.id),
      deadLetterRecord(entry),
      this.#db.maxRecordBytes,
    );
    await this.#db.run(
      `INSERT INTO ${this.#db.schema}.dead_letters (queue, id, body, checksum)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (queue, id) DO UPDATE SET body = EXCLUDED.body, checksum = EXCLUDED.checksum`,
      [this.#queueColumn, idColumn, row.body, row.checksum],
    );
  }

  async get(id: string): Promise<DeadLetterEntry<I> | undefined> {
    const idColumn = lookupText(id);
    if (idColumn === undefined) return undefined;
    const { rows } = await this.#db.run<{ body: string; checksum: string }>(
      `SELECT body, checksum FROM ${this.#db.schema}.dead_letters WHERE queue = $1 AND id = $2`,
      [this.#queueColumn, idColumn],
    );
    return rows[0] === undefined ? undefined : this.#decode(id, rows[0].body, rows[0].checksum);
  }

  async delete(id: string): Promise<boolean> {
    const idColumn = lookupText(id);
    if (idColumn === undefined) return false;
    const { rowCount } = await this.#db.run(
      `DELETE FROM ${this.#db.schema}.dead_letters WHERE queue = $1 AND id = $2`,
      [this.#queueColumn, idColumn],
    );
    return rowCount === 1;
  }

  async list(): Promise<DeadLetterEntry<I>[]> {
    const { rows } = await this.#db.run<{ id: string; body: string; checksum: string }>(
      `SELECT id, body, checksum FROM ${this.#db.schema}.dead_letters
       WHERE queue = $1 ORDER BY position`,
      [this.#queueColumn],
    );
    return rows.map((row) => this.#decode(keyFromText(row.id), row.body, row.checksum));
  }

  async size(): Promise<number> {
    const { rows } = await this.#db.run<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${this.#db.schema}.dead_letters WHERE queue = $1`,
      [this.#queueColumn],
    );
    return rows[0]?.n ?? 0;
  }

  #decode(id: string, body: string, checksum: string): DeadLetterEntry<I> {
    const key = keyOf(this.#queue, id);
    const entry = decodeRow(key, body, checksum) as DeadLetterEntry<I> | null;
    if (typeof entry !== 'object' || entry === null || entry.id !== id) {
      throw corrupt(key, 'it does not hold a dead letter');
    }
    return deadLetterRecord(entry);
  }
}
