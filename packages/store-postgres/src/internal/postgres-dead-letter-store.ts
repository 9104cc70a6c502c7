import { deadLetterRecord } from '@warden/agents';
import type { DeadLetterEntry, DeadLetterStore } from '@warden/resilience';
import type { Database } from './database.js';
import { OrderedRows } from './ordered-rows.js';

/**
 * The dead letters of one named queue: `list` oldest first, and `put` of a known id replaces the
 * entry in its place (an entry's position is its first `put`).
 */
export class PostgresDeadLetterStore<I = unknown> implements DeadLetterStore<I> {
  readonly #rows: OrderedRows<DeadLetterEntry<I>>;

  constructor(db: Database, queue: string) {
    this.#rows = new OrderedRows(db, queue, {
      table: 'dead_letters',
      field: 'entry',
      what: 'a dead letter',
      record: (entry) => deadLetterRecord(entry),
    });
  }

  put(entry: DeadLetterEntry<I>): Promise<void> {
    return this.#rows.put(entry);
  }

  get(id: string): Promise<DeadLetterEntry<I> | undefined> {
    return this.#rows.get(id);
  }

  delete(id: string): Promise<boolean> {
    return this.#rows.delete(id);
  }

  list(): Promise<DeadLetterEntry<I>[]> {
    return this.#rows.list();
  }

  size(): Promise<number> {
    return this.#rows.size();
  }
}
