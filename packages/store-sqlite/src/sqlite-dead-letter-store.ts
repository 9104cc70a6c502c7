import { deadLetterRecord } from '@warden/agents';
import type { DeadLetterEntry, DeadLetterStore } from '@warden/resilience';
import type { Connection } from './internal/connection.js';
import { OrderedRows } from './internal/ordered-rows.js';

const SQL = {
  table: 'dead_letters',
  row: 'SELECT seq, body, sum FROM dead_letters WHERE queue = ? AND id = ?',
  all: 'SELECT id, seq, body, sum FROM dead_letters WHERE queue = ? ORDER BY seq',
  count: 'SELECT count(*) AS n FROM dead_letters WHERE queue = ?',
  nextSeq: 'SELECT coalesce(max(seq), 0) + 1 AS seq FROM dead_letters WHERE queue = ?',
  insert: 'INSERT INTO dead_letters (queue, id, seq, body, sum) VALUES (?, ?, ?, ?, ?)',
  update: 'UPDATE dead_letters SET body = ?, sum = ? WHERE queue = ? AND id = ?',
  delete: 'DELETE FROM dead_letters WHERE queue = ? AND id = ?',
} as const;

/**
 * A `DeadLetterQueue`'s store in SQLite (`store.deadLetters(name)`): its entries and their
 * recovery ledgers survive restarts, oldest first, a put of a known id (a failed replay) keeping
 * the entry's place.
 */
export class SqliteDeadLetterStore<I = unknown> implements DeadLetterStore<I> {
  readonly #rows: OrderedRows<DeadLetterEntry<I>>;

  constructor(conn: Connection, queue: string) {
    this.#rows = new OrderedRows(conn, SQL, queue, deadLetterRecord);
  }

  async put(entry: DeadLetterEntry<I>): Promise<void> {
    this.#rows.put(entry);
  }

  async get(id: string): Promise<DeadLetterEntry<I> | undefined> {
    return this.#rows.get(id);
  }

  async delete(id: string): Promise<boolean> {
    return this.#rows.delete(id);
  }

  async list(): Promise<DeadLetterEntry<I>[]> {
    return this.#rows.list();
  }

  async size(): Promise<number> {
    return this.#rows.size();
  }
}
