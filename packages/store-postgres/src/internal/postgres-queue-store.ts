import { type QueuedRequest, type QueueStore, queuedRequestRecord } from '@warden/agents';
import { checks } from '../postgres-store-options.js';
import type { Database } from './database.js';
import { corrupt, decodeRow, encodeRow } from './row-codec.js';
import { keyFromText, keyText, lookupText } from './row-key.js';

const keyOf = (queue: string, id: string): string => JSON.stringify(['queued', queue, id]);

/**
 * The requests held by one named ladder queue level: `list` oldest first (the order of their
 * first `put`), and `put` of a known id replaces the request in its place.
 */
export class PostgresQueueStore<R = unknown> implements QueueStore<R> {
  readonly #db: Database;
  readonly #queue: string;
  readonly #queueColumn: string;

  constructor(db: Database, queue: string) {
    this.#db = db;
    this.#queue = queue;
    this.#queueColumn = keyText('queue', queue);
  }

  async put(item: QueuedRequest<R>): Promise<void> {
    checks.record('item', item);
    const idColumn = keyText('item.id', item.id);
    const row = encodeRow(
      keyOf(this.#queue, item.id),
      queuedRequestRecord(item),
      this.#db.maxRecordBytes,
    );
    await this.#db.run(
      `INSERT INTO ${this.#db.schema}.queued (queue, id, body, checksum) VALUES ($1, $2, $3, $4)
       ON CONFLICT (queue, id) DO UPDATE SET body = EXCLUDED.body, checksum = EXCLUDED.checksum`,
      [this.#queueColumn, idColumn, row.body, row.checksum],
    );
  }

  async delete(id: string): Promise<boolean> {
    const idColumn = lookupText(id);
    if (idColumn === undefined) return false;
    const { rowCount } = await this.#db.run(
      `DELETE FROM ${this.#db.schema}.queued WHERE queue = $1 AND id = $2`,
      [this.#queueColumn, idColumn],
    );
    return rowCount === 1;
  }

  async list(): Promise<readonly QueuedRequest<R>[]> {
    const { rows } = await this.#db.run<{ id: string; body: string; checksum: string }>(
      `SELECT id, body, checksum FROM ${this.#db.schema}.queued WHERE queue = $1 ORDER BY position`,
      [this.#queueColumn],
    );
    return rows.map((row) => {
      const id = keyFromText(row.id);
      const key = keyOf(this.#queue, id);
      const item = decodeRow(key, row.body, row.checksum) as QueuedRequest<R> | null;
      if (typeof item !== 'object' || item === null || item.id !== id) {
        throw corrupt(key, 'it does not hold a queued request');
      }
      return queuedRequestRecord(item);
    });
  }

  async size(): Promise<number> {
    const { rows } = await this.#db.run<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${this.#db.schema}.queued WHERE queue = $1`,
      [this.#queueColumn],
    );
    return rows[0]?.n ?? 0;
  }
}
