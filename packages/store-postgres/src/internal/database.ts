import { createHash } from 'node:crypto';
import { StoreError } from '@warden/agents';
import { Pool, type PoolClient, type QueryResult, type QueryResultRow } from 'pg';
import type { ResolvedOptions } from '../postgres-store-options.js';

/** Runs one parameterised statement: inside a transaction, or alone on any pooled connection. */
export interface Queryable {
  run<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values?: readonly unknown[],
  ): Promise<QueryResult<R>>;
  /** Runs statements of fixed text (schema changes), unprepared; none takes a value. */
  exec(text: string): Promise<void>;
}

/**
 * The store's one way to the database. Every statement is sent with its values bound (never
 * spliced into the text) and prepared once per connection under a name derived from its text.
 * A failure of the database or of the way to it becomes `ERR_STORE_UNAVAILABLE` with the driver's
 * error as its cause; after `close`, `ERR_STORE_CLOSED`. A connection that failed mid-transaction
 * is destroyed, never handed to the next caller.
 */
export class Database implements Queryable {
  /** The schema, quoted, ready to prefix a table name in a statement's text. */
  readonly schema: string;
  readonly schemaName: string;
  readonly maxRecordBytes: number;
  readonly #pool: Pool;
  readonly #ownsPool: boolean;
  readonly #names = new Map<string, string>();
  #closed = false;
  #closing: Promise<void> | undefined;
  readonly #inflight = new Set<Promise<unknown>>();

  constructor(options: ResolvedOptions) {
    this.schemaName = options.schema;
    this.schema = `"${options.schema}"`;
    this.maxRecordBytes = options.maxRecordBytes;
    if (options.pool !== undefined) {
      this.#pool = options.pool;
      this.#ownsPool = false;
    } else {
      this.#pool = new Pool({
        connectionString: options.connectionString,
        max: options.maxConnections,
        connectionTimeoutMillis: options.connectTimeoutMs,
        statement_timeout: options.statementTimeoutMs,
        idle_in_transaction_session_timeout: options.statementTimeoutMs,
        // The server's timeout answers first; this one only fires if the server cannot answer.
        query_timeout: options.statementTimeoutMs + options.connectTimeoutMs,
        keepAlive: true,
        allowExitOnIdle: true,
      });
      this.#ownsPool = true;
      // An idle connection the server dropped is removed by the pool; without a listener the
      // 'error' it emits would end the process.
      this.#pool.on('error', () => {});
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  run<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values: readonly unknown[] = [],
  ): Promise<QueryResult<R>> {
    return this.#track(async () => {
      try {
        return await this.#pool.query<R>({ name: this.#name(text), text, values: [...values] });
      } catch (error) {
        throw unavailable(error);
      }
    });
  }

  exec(text: string): Promise<void> {
    return this.#track(async () => {
      try {
        await this.#pool.query(text);
      } catch (error) {
        throw unavailable(error);
      }
    });
  }

  /**
   * Runs `work` between BEGIN and COMMIT on one connection; anything it throws rolls back and is
   * rethrown as it was (a refusal of the store's own stays that refusal).
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#track(() => this.#transaction(work));
  }

  async #transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw unavailable(error);
    }
    // A connection lost while checked out emits 'error'; the statement in flight fails with it.
    const ignore = (): void => {};
    client.on('error', ignore);
    let broken: Error | undefined;
    const fail = (error: unknown): StoreError => {
      // The server refusing a statement leaves the connection usable; anything else may not.
      if (!isServerError(error)) broken = error instanceof Error ? error : new Error(String(error));
      return unavailable(error);
    };
    const tx: Queryable = {
      run: async <R extends QueryResultRow>(text: string, values: readonly unknown[] = []) => {
        try {
          return await client.query<R>({ name: this.#name(text), text, values: [...values] });
        } catch (error) {
          throw fail(error);
        }
      },
      exec: async (text: string) => {
        try {
          await client.query(text);
        } catch (error) {
          throw fail(error);
        }
      },
    };
    try {
      await tx.exec('BEGIN');
      const result = await work(tx);
      await tx.exec('COMMIT');
      return result;
    } catch (error) {
      if (broken === undefined) {
        try {
          await client.query('ROLLBACK');
        } catch (rollback) {
          broken = rollback instanceof Error ? rollback : new Error(String(rollback));
        }
      }
      throw error;
    } finally {
      client.removeListener('error', ignore);
      client.release(broken);
    }
  }

  /**
   * Refuses new calls at once, lets the calls in flight finish (each is bounded by the
   * timeouts), then ends the store's own pool; a borrowed pool stays open. Idempotent. (A pool
   * ended under a call waiting for a connection would leave that call waiting for ever.)
   */
  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= Promise.allSettled([...this.#inflight]).then(async () => {
      if (this.#ownsPool) await this.#pool.end().catch(() => {});
    });
    return this.#closing;
  }

  /** Runs one call of the store, unless it is closed, counting it as in flight. */
  #track<T>(call: () => Promise<T>): Promise<T> {
    if (this.#closed) {
      return Promise.reject(new StoreError('ERR_STORE_CLOSED', 'the PostgreSQL store is closed'));
    }
    const running = call();
    this.#inflight.add(running);
    const done = (): void => {
      this.#inflight.delete(running);
    };
    running.then(done, done);
    return running;
  }

  /** One prepared-statement name per text, the same on every connection and every store. */
  #name(text: string): string {
    let name = this.#names.get(text);
    if (name === undefined) {
      name = `warden_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      this.#names.set(text, name);
    }
    return name;
  }
}

/** An error the server reported (it has a severity): the connection itself is still sound. */
function isServerError(error: unknown): boolean {
  return typeof (error as { severity?: unknown } | null)?.severity === 'string';
}

/** A driver or server failure as the store reports it, keeping what the driver said. */
export function unavailable(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return new StoreError('ERR_STORE_UNAVAILABLE', `PostgreSQL: ${message || String(code)}`, {
    cause: error,
    ...(typeof code === 'string' ? { detail: { code } } : {}),
  });
}
