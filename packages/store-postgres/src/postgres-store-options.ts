import { StoreError } from '@warden/agents';
import { describeValue, optionChecks } from '@warden/core';
import type { Pool } from 'pg';

/** How `openPostgresStore` reaches its database and what it allows. */
export interface PostgresStoreOptions {
  /** `postgres://user@host:port/db`: the store makes its own pool and ends it on `close`. */
  readonly connectionString?: string;
  /** A pool of the caller's: the store borrows it and leaves it open on `close`. */
  readonly pool?: Pool;
  /**
   * The PostgreSQL schema the store's tables live in, created if missing: lower-case letters,
   * digits and `_`, at most 63 characters. Several stores (nodes) share one schema to share state.
   */
  readonly schema?: string;
  /** The largest encoded row (a message, a tool result, a dead letter), in bytes. */
  readonly maxRecordBytes?: number;
  /** How long to wait for a connection before `ERR_STORE_UNAVAILABLE`. Own pool only. */
  readonly connectTimeoutMs?: number;
  /**
   * How long one statement (or a lock it waits for) may take before `ERR_STORE_UNAVAILABLE`:
   * set on the server (`statement_timeout`) and, a little later, on the client, so a server that
   * stops answering cannot hang a caller either. Own pool only.
   */
  readonly statementTimeoutMs?: number;
  /** Connections in the store's own pool. */
  readonly maxConnections?: number;
  /**
   * Stamps each commit, for `Retention.finishedOlderThanMs`: pass the node's clock and read
   * `Retention.now` from it. The stamps outlive the process and are compared across nodes, so
   * the clock must be one they share (wall-clock time). Default `Date.now`.
   */
  readonly clock?: { now(): number };
}

export const POSTGRES_STORE_DEFAULTS = Object.freeze({
  schema: 'warden',
  maxRecordBytes: 16 * 1024 * 1024,
  connectTimeoutMs: 5_000,
  statementTimeoutMs: 10_000,
  maxConnections: 10,
});

/** What a schema name must look like: it is quoted into statements, never bound. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export const checks = optionChecks(
  (field, value, expected) =>
    new StoreError(
      'ERR_INVALID_OPTION',
      `invalid ${field}: ${describeValue(value)} (expected ${expected})`,
      { field },
    ),
);

function checkClock(clock: unknown): { now(): number } {
  if (typeof (clock as { now?: unknown } | null)?.now !== 'function') {
    throw checks.invalid('clock', clock, 'a clock (with now())');
  }
  return clock as { now(): number };
}

export interface ResolvedOptions {
  readonly connectionString: string | undefined;
  readonly pool: Pool | undefined;
  readonly schema: string;
  readonly maxRecordBytes: number;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
  readonly maxConnections: number;
  readonly clock: { now(): number };
}

/** Validates the options (exactly one of `connectionString` and `pool`) and fills defaults in. */
export function resolveOptions(options: PostgresStoreOptions): ResolvedOptions {
  checks.record('options', options);
  const d = POSTGRES_STORE_DEFAULTS;
  const connectionString = checks.optionalString('connectionString', options.connectionString);
  const pool = options.pool;
  if (pool !== undefined && typeof (pool as { connect?: unknown })?.connect !== 'function') {
    throw checks.invalid('pool', pool, 'a pg Pool');
  }
  if ((connectionString === undefined) === (pool === undefined)) {
    throw checks.invalid(
      'connectionString',
      connectionString,
      'exactly one of connectionString and pool',
    );
  }
  const schema = options.schema ?? d.schema;
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) {
    throw checks.invalid('schema', schema, `a name matching ${SCHEMA_NAME}`);
  }
  return {
    connectionString,
    pool,
    schema,
    maxRecordBytes: checks.int('maxRecordBytes', options.maxRecordBytes ?? d.maxRecordBytes, 1),
    connectTimeoutMs: checks.int(
      'connectTimeoutMs',
      options.connectTimeoutMs ?? d.connectTimeoutMs,
      1,
    ),
    statementTimeoutMs: checks.int(
      'statementTimeoutMs',
      options.statementTimeoutMs ?? d.statementTimeoutMs,
      1,
    ),
    maxConnections: checks.int('maxConnections', options.maxConnections ?? d.maxConnections, 1),
    clock: options.clock === undefined ? { now: Date.now } : checkClock(options.clock),
  };
}
