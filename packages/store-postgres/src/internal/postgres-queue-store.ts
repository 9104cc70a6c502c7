import { type QueuedRequest, type QueueStore, queuedRequestRecord } from '@warden/agents';
import type { Database } from './database.js';
import { OrderedRows } from './ordered-rows.js';

/**
 * The requests held by one named ladder queue level: `list` oldest first (the order of their
 * first `put`), and `put` of a known id replaces the request in its place.
 */
export class PostgresQueueStore<R = unknown> implements QueueStore<R> {
  readonly #rows: OrderedRows<QueuedRequest<R>>;

  constructor(db: Database, queue: string) {
    this.#rows = new OrderedRows(db, queue, {
      table: 'queued',
      field: 'item',
      what: 'a queued request',
      record: (item) => queuedRequestRecord(item),
    });
  }

  put(item: QueuedRequest<R>): Promise<void> {
    return this.#rows.put(item);
  }

  delete(id: string): Promise<boolean> {
    return this.#rows.delete(id);
  }

  list(): Promise<readonly QueuedRequest<R>[]> {
    return this.#rows.list();
  }

  size(): Promise<number> {
    return this.#rows.size();
  }
}
