import { checks } from '../postgres-store-options.js';
import type { Database } from './database.js';
import { corrupt, decodeRow, encodeRow } from './row-codec.js';
import { keyFromText, keyText, lookupText } from './row-key.js';

/** What one table of records kept per named queue holds, and how a record is checked on read. */
export interface OrderedRowsKind<T extends { readonly id: string }> {
  /** The table (`dead_letters`, `queued`): both have (queue, id, position, body, checksum). */
  readonly table: 'dead_letters' | 'queued';
  /** The field named in errors (`entry`, `item`). */
  readonly field: string;
  /** What a row holds, in an error about one that does not (`a dead letter`). */
  readonly what: string;
  /** The record in its one shape, as every store gives it back. */
  readonly record: (value: T) => T;
}

/**
 * The records of one named queue (dead letters, a ladder's queued requests): `list` oldest first,
 * and `put` of a known id replaces the record in its place (a record's position is its first
 * `put`). Every row is checksummed; one that fails its checksum or does not hold a record of the
 * kind with its own id is `ERR_STORE_CORRUPT`.
 */
export class OrderedRows<T extends { readonly id: string }> {
  readonly #db: Database;
  readonly #kind: OrderedRowsKind<T>;
  readonly #queue: string;
  readonly #queueColumn: string;

  constructor(db: Database, queue: string, kind: OrderedRowsKind<T>) {
    this.#db = db;
    this.#kind = kind;
    this.#queue = queue;
    this.#queueColumn = keyText('queue', queue);
  }

  async put(value: T): Promise<void> {
    checks.record(this.#kind.field, value);
    const idColumn = keyText(`${this.#kind.field}.id`, value.id);
    const row = encodeRow(this.#key(value.id), this.#kind.record(value), this.#db.maxRecordBytes);
    await this.#db.run(
      `INSERT INTO ${this.#table()} (queue, id, body, checksum) VALUES ($1, $2, $3, $4)
       ON CONFLICT (queue, id) DO UPDATE SET body = EXCLUDED.body, checksum = EXCLUDED.checksum`,
      [this.#queueColumn, idColumn, row.body, row.checksum],
    );
  }

  async get(id: string): Promise<T | undefined> {
    const idColumn = lookupText(id);
    if (idColumn === undefined) return undefined;
    const { rows } = await this.#db.run<{ body: string; checksum: string }>(
      `SELECT body, checksum FROM ${this.#table()} WHERE queue = $1 AND id = $2`,
      [this.#queueColumn, idColumn],
    );
    return rows[0] === undefined ? undefined : this.#decode(id, rows[0].body, rows[0].checksum);
  }

  async delete(id: string): Promise<boolean> {
    const idColumn = lookupText(id);
    if (idColumn === undefined) return false;
    const { rowCount } = await this.#db.run(
      `DELETE FROM ${this.#table()} WHERE queue = $1 AND id = $2`,
      [this.#queueColumn, idColumn],
    );
    return rowCount === 1;
  }

  async list(): Promise<T[]> {
    const { rows } = await this.#db.run<{ id: string; body: string; checksum: string }>(
      `SELECT id, body, checksum FROM ${this.#table()} WHERE queue = $1 ORDER BY position`,
      [this.#queueColumn],
    );
    return rows.map((row) => this.#decode(keyFromText(row.id), row.body, row.checksum));
  }

  async size(): Promise<number> {
    const { rows } = await this.#db.run<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${this.#table()} WHERE queue = $1`,
      [this.#queueColumn],
    );
    return rows[0]?.n ?? 0;
  }

  #table(): string {
    return `${this.#db.schema}.${this.#kind.table}`;
  }

  #key(id: string): string {
    return JSON.stringify([this.#kind.table, this.#queue, id]);
  }

  #decode(id: string, body: string, checksum: string): T {
    const key = this.#key(id);
    const value = decodeRow(key, body, checksum) as T | null;
    if (typeof value !== 'object' || value === null || value.id !== id) {
      throw corrupt(key, `it does not hold ${this.#kind.what}`);
    }
    return this.#kind.record(value);
  }
}
