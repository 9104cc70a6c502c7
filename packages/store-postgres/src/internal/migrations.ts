import { GENESIS } from '@warden/agents';
import type { Queryable } from './database.js';
import { journalCallColumns } from './journal-calls.js';

/** One step of the schema's history: applied once, in order, never edited after release. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** `s` is the quoted schema name. */
  apply(tx: Queryable, s: string): Promise<void>;
}

/**
 * The schema's history. A checkpoint is a row per step plus the messages that step added (the
 * delta), keyed by (thread, index, version written): the messages of checkpoint `v` are, for
 * each index below its length, the row of the highest version not above `v`. Every row that
 * holds a record carries a checksum over its key and its text.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'checkpoints and governance',
    async apply(tx, s) {
      await tx.exec(`
        CREATE TABLE ${s}.threads (
          thread_id text PRIMARY KEY,
          head integer NOT NULL,
          step integer NOT NULL,
          length integer NOT NULL,
          finished boolean NOT NULL,
          committed_at double precision NOT NULL
        );
        CREATE TABLE ${s}.checkpoints (
          thread_id text NOT NULL,
          version integer NOT NULL,
          step integer NOT NULL,
          length integer NOT NULL,
          body text NOT NULL,
          checksum text NOT NULL,
          PRIMARY KEY (thread_id, version)
        );
        CREATE TABLE ${s}.messages (
          thread_id text NOT NULL,
          idx integer NOT NULL,
          version integer NOT NULL,
          body text NOT NULL,
          checksum text NOT NULL,
          PRIMARY KEY (thread_id, idx, version)
        );
        CREATE TABLE ${s}.journal (
          key text PRIMARY KEY,
          thread_id text NOT NULL,
          position bigserial NOT NULL,
          begun_step integer NOT NULL,
          version integer NOT NULL,
          state text NOT NULL,
          body text NOT NULL,
          checksum text NOT NULL
        );
        CREATE INDEX journal_by_thread ON ${s}.journal (thread_id, position);
        CREATE TABLE ${s}.approvals (
          nonce text PRIMARY KEY,
          position bigserial NOT NULL,
          binding_key text,
          used boolean NOT NULL DEFAULT false,
          body text NOT NULL,
          checksum text NOT NULL
        );
        CREATE INDEX approvals_standing ON ${s}.approvals (binding_key, position)
          WHERE binding_key IS NOT NULL;
        CREATE TABLE ${s}.audit (seq bigint PRIMARY KEY, body text NOT NULL);
        CREATE TABLE ${s}.audit_head (
          id integer PRIMARY KEY CHECK (id = 1),
          next_seq bigint NOT NULL,
          hash text NOT NULL
        );
      `);
      await tx.run(`INSERT INTO ${s}.audit_head (id, next_seq, hash) VALUES (1, 0, $1)`, [GENESIS]);
    },
  },
  {
    version: 2,
    name: 'leases, queues, dead letters and memory',
    async apply(tx, s) {
      await tx.exec(`
        CREATE TABLE ${s}.leases (
          key text PRIMARY KEY,
          owner text,
          token bigint NOT NULL,
          expires_at double precision NOT NULL,
          data text
        );
        CREATE TABLE ${s}.dead_letters (
          queue text NOT NULL,
          id text NOT NULL,
          position bigserial NOT NULL,
          body text NOT NULL,
          checksum text NOT NULL,
          PRIMARY KEY (queue, id)
        );
        CREATE INDEX dead_letters_in_order ON ${s}.dead_letters (queue, position);
        CREATE TABLE ${s}.queued (
          queue text NOT NULL,
          id text NOT NULL,
          position bigserial NOT NULL,
          body text NOT NULL,
          checksum text NOT NULL,
          PRIMARY KEY (queue, id)
        );
        CREATE INDEX queued_in_order ON ${s}.queued (queue, position);
        CREATE TABLE ${s}.memory (
          position bigserial PRIMARY KEY,
          thread_id text NOT NULL,
          step integer NOT NULL,
          body text NOT NULL,
          checksum text NOT NULL
        );
        CREATE INDEX memory_by_thread ON ${s}.memory (thread_id, position);
      `);
    },
  },
  {
    // A journal row names its call (the tool and the hash of its canonical arguments, as its
    // body holds them) under an index, so that finding the earlier runs of one call reads that
    // call's rows instead of the thread's whole journal. Rows written before get them from their
    // body, read and checked here; a row that fails its checksum keeps them null and is read,
    // and reported, with every call of its thread.
    version: 3,
    name: 'the journal indexed by call',
    async apply(tx, s) {
      await tx.exec(`ALTER TABLE ${s}.journal ADD COLUMN tool text, ADD COLUMN args_hash text`);
      await journalCallColumns(tx, s);
      await tx.exec(
        `CREATE INDEX journal_by_call ON ${s}.journal (thread_id, tool, args_hash, position)`,
      );
    },
  },
];

/** The version this code writes and reads. */
export const SCHEMA_VERSION = (MIGRATIONS[MIGRATIONS.length - 1] as Migration).version;
