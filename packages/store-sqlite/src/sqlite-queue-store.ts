import { queuedRequestRecord } from '@warden/agents';
import type { QueuedRequest, QueueStore } from '@warden/resilience';
import type { Connection } from './internal/connection.js';
import { OrderedRows } from './internal/ordered-rows.js';

const SQL = {
  table: 'queue_items',
  row: 'SELECT seq, body, sum FROM queue_items WHERE queue = ? AND id = ?',
  all: 'SELECT id, seq, body, sum FROM queue_items WHERE queue = ? ORDER BY seq',
  count: 'SELECT count(*) AS n FROM queue_items WHERE queue = ?',
  nextSeq: 'SELECT coalesce(max(seq), 0) + 1 AS seq FROM queue_items WHERE queue = ?',
  insert: 'INSERT INTO queue_items (queue, id, seq, body, sum) VALUES (?, ?, ?, ?, ?)',
  update: 'UPDATE queue_items SET body = ?, sum = ? WHERE queue = ? AND id = ?',
  delete: 'DELETE FROM queue_items WHERE queue = ? AND id = ?',
} as const;

/**
 * A degradation ladder's queue level in SQLite (`store.queue(name)`): the requests it accepted
 * survive a restart of the node and are replayed in the order they were queued.
 */
export class SqliteQueueStore<R = unknown> implements QueueStore<R> {
  readonly #rows: OrderedRows<QueuedRequest<R>>;

  constructor(conn: Connection, name: string) {
    this.#rows = new OrderedRows(conn, SQL, name, queuedRequestRecord);
  }

  async put(item: QueuedRequest<R>): Promise<void> {
    this.#rows.put(item);
  }

  async delete(id: string): Promise<boolean> {
    return this.#rows.delete(id);
  }

  async list(): Promise<readonly QueuedRequest<R>[]> {
    return this.#rows.list();
  }

  async size(): Promise<number> {
    return this.#rows.size();
  }
}
