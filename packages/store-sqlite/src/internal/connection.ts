import { StoreError } from '@warden/agents';
import type Database from 'better-sqlite3';
import { storeErrorOf } from '../sqlite-errors.js';
import type { SyncMode } from '../sqlite-store-options.js';

/** How many reads' keys a connection remembers (about 100 bytes each). */
const MAX_KNOWN_READS = 4_096;

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
  /** `PRAGMA synchronous` as last set, so a write switches it only when its kind differs. */
  #synced = true;
  readonly #syncEvery: boolean;
  /**
   * Idempotency keys of calls known to be reads (their journal entry said so): their journal
   * and audit writes need not reach the disk before anything else. Bounded: when full it is
   * emptied, and a key it does not know is written synced, the safe side.
   */
  readonly #reads = new Set<string>();
  #closed = false;

  constructor(
    db: Database.Database,
    readonly maxRecordBytes: number,
    readonly now: () => number,
    sync: SyncMode = 'outputs',
  ) {
    this.#db = db;
    this.#transaction = db.transaction((work: () => unknown) => work());
    this.#syncEvery = sync === 'writes';
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

  /** A write in one transaction, synced (see `writeWhen`). */
  write<T>(work: () => T): T {
    return this.writeWhen('synced', work);
  }

  /**
   * A write in one transaction. `synced`: its commit reaches the disk before it returns
   * (`synchronous=FULL`), for a write something outside the process may act on. `lazily`: its
   * commit may wait in the OS for the disk (`synchronous=NORMAL`); it survives a crash of the
   * process at once, and a power loss once the next synced write (or the log's copy into the
   * file) has synced the log, which holds every commit in the order made.
   */
  writeWhen<T>(when: 'synced' | 'lazily', work: () => T): T {
    return this.#use(() => {
      const synced = when === 'synced' || this.#syncEvery;
      if (synced !== this.#synced) this.#setSynced(synced);
      return this.#transaction.immediate(work) as T;
    });
  }

  /** Notes a call whose journal entry says it is a read (see `#reads`). */
  noteRead(key: string): void {
    if (this.#reads.size >= MAX_KNOWN_READS) this.#reads.clear();
    this.#reads.add(key);
  }

  isKnownRead(key: string): boolean {
    return this.#reads.has(key);
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

  /** A setting as SQLite has it now (`synchronous`: the last write's, 2 FULL, 1 NORMAL). */
  setting(name: 'synchronous' | 'wal_autocheckpoint'): number {
    return this.#db.pragma(name, { simple: true }) as number;
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

  #setSynced(synced: boolean): void {
    // Executed, not prepared once: SQLite applies this pragma when it compiles the statement,
    // and running a prepared one again changes nothing (under 1 µs either way).
    this.#db.exec(synced ? 'PRAGMA synchronous = FULL' : 'PRAGMA synchronous = NORMAL');
    this.#synced = synced;
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
