import { StoreError } from '@warden/agents';
import type Database from 'better-sqlite3';
import { storeErrorOf } from '../sqlite-errors.js';

/**
 * One open database, shared by every part of a store: the statements it prepared, its record
 * limit and clock, and whether it is closed. Every call goes through `read` or `write`, which
 * refuse once closed and turn SQLite's errors into `StoreError`s. A `write` runs in one
 * `BEGIN IMMEDIATE` transaction: it takes the write lock before it reads, so a compare-and-set
 * reads and writes with no other writer in between, in this process or another on the same file.
 */
export class Connection {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  /**
   * One transaction function for every call, the work passed as its argument: better-sqlite3's
   * `transaction(fn)` builds four wrapped functions and their properties each time it is called,
   * about 10 µs, a third of what a checkpoint commit costs before it waits for the disk.
   */
  readonly #transaction: Database.Transaction<(work: () => unknown) => unknown>;
  #closed = false;

  constructor(
    db: Database.Database,
    readonly maxRecordBytes: number,
    readonly now: () => number,
  ) {
    this.#db = db;
    this.#transaction = db.transaction((work: () => unknown) => work());
  }

  /** A prepared statement; `sql` is always a constant, every value a bound parameter. */
  statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) this.#statements.set(sql, (statement = this.#db.prepare(sql)));
    return statement;
  }

  /** Reads in one transaction, so that several statements see one state of the file. */
  read<T>(work: () => T): T {
    return this.#use(() => this.#transaction.deferred(work) as T);
  }

  write<T>(work: () => T): T {
    return this.#use(() => this.#transaction.immediate(work) as T);
  }

  /** Refuses a record over the limit, naming where it was going. */
  checkSize(text: string, table: string, key: Readonly<Record<string, unknown>>): number {
    const bytes = Buffer.byteLength(text);
    if (bytes > this.maxRecordBytes) {
      throw new StoreError(
        'ERR_RECORD_TOO_LARGE',
        `${table} record ${JSON.stringify(key)} is ${bytes} bytes, over the limit of ${this.maxRecordBytes}`,
        { detail: { table, key, bytes, limit: this.maxRecordBytes } },
      );
    }
    return bytes;
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#statements.clear();
    this.#db.close();
  }

  #use<T>(work: () => T): T {
    if (this.#closed) throw new StoreError('ERR_STORE_CLOSED', 'the store is closed');
    try {
      return work();
    } catch (error) {
      throw storeErrorOf(error);
    }
  }
}
