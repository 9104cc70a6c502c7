import { decodeStoreJson, encodeStoreJson } from '@warden/agents';
import type { Connection } from './connection.js';
import { corruptRow, rowChecksum, verifyRow } from './row-checksum.js';

/** The statements of one table of records kept per named queue, in the order of their first put. */
export interface OrderedRowsSql {
  readonly table: string;
  /** (queue, id) -> seq, body, sum */
  readonly row: string;
  /** (queue) -> id, seq, body, sum, oldest first */
  readonly all: string;
  /** (queue) -> count */
  readonly count: string;
  /** (queue) -> the next seq */
  readonly nextSeq: string;
  /** (queue, id, seq, body, sum) */
  readonly insert: string;
  /** (body, sum, queue, id) */
  readonly update: string;
  /** (queue, id) */
  readonly delete: string;
}

interface Row {
  id: string;
  seq: number;
  body: string;
  sum: string;
}

/**
 * Records of one named queue in a table keyed by (queue, id), in the order they were first put:
 * what a dead-letter store and a ladder's queue store both are. A put of a known id rewrites its
 * record in place, keeping its place; it reads (and checks) the row first, so a damaged row is
 * reported, never overwritten.
 */
export class OrderedRows<T extends { readonly id: string }> {
  constructor(
    private readonly conn: Connection,
    private readonly sql: OrderedRowsSql,
    private readonly queue: string,
    private readonly shape: (value: T) => T,
  ) {}

  put(record: T): void {
    const { conn, sql, queue } = this;
    const value = this.shape(record);
    const body = encodeStoreJson(value, `${sql.table} record`);
    conn.checkSize(body, sql.table, { queue, id: value.id });
    conn.write(() => {
      const found = conn.statement(sql.row).get(queue, value.id) as Row | undefined;
      if (found !== undefined) {
        this.#decode({ ...found, id: value.id });
        const sum = rowChecksum(sql.table, [queue, value.id, found.seq, body]);
        conn.statement(sql.update).run(body, sum, queue, value.id);
        return;
      }
      const { seq } = conn.statement(sql.nextSeq).get(queue) as { seq: number };
      const sum = rowChecksum(sql.table, [queue, value.id, seq, body]);
      conn.statement(sql.insert).run(queue, value.id, seq, body, sum);
    });
  }

  get(id: string): T | undefined {
    return this.conn.read(() => {
      const found = this.conn.statement(this.sql.row).get(this.queue, id) as Row | undefined;
      return found === undefined ? undefined : this.#decode({ ...found, id });
    });
  }

  delete(id: string): boolean {
    return this.conn.write(
      () => this.conn.statement(this.sql.delete).run(this.queue, id).changes === 1,
    );
  }

  list(): T[] {
    return this.conn.read(() =>
      (this.conn.statement(this.sql.all).all(this.queue) as Row[]).map((r) => this.#decode(r)),
    );
  }

  size(): number {
    return this.conn.read(
      () => (this.conn.statement(this.sql.count).get(this.queue) as { n: number }).n,
    );
  }

  #decode(row: Row): T {
    const { table } = this.sql;
    const key = { queue: this.queue, id: row.id };
    verifyRow(table, key, row.sum, [this.queue, row.id, row.seq, row.body]);
    const value = decodeStoreJson(row.body, table, key) as T | null;
    if (typeof value !== 'object' || value === null || value.id !== row.id) {
      throw corruptRow(table, key, 'does not hold the record its id names');
    }
    return this.shape(value);
  }
}
