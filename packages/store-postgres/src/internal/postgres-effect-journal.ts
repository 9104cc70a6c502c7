import {
  checkTransition,
  type EffectChange,
  type EffectEntry,
  type EffectJournal,
  effectEntryRecord,
  GovernanceError,
  type NewEffect,
} from '@warden/agents';
import { checks } from '../postgres-store-options.js';
import type { Database } from './database.js';
import { callColumns, journalRowKey as keyOf } from './journal-calls.js';
import { corrupt, decodeRow, encodeRow } from './row-codec.js';
import { keyFromText, keyText, lookupText } from './row-key.js';

/**
 * The effect journal in one table, one row per call, indexed by thread and by call (tool and
 * arguments' hash, in columns of their own), so that `listCall` reads one call's rows. A transition is one conditional UPDATE on
 * the entry's version: of two nodes that both think they own a call, one moves it and the other
 * gets `ERR_JOURNAL_CONFLICT`, so a call is never run twice by a race. Each row also records the
 * step of its thread's head when it began, which pruning goes by (`isPrunableEffect`).
 */
export class PostgresEffectJournal implements EffectJournal {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async begin(entry: NewEffect): Promise<EffectEntry> {
    checks.record('entry', entry);
    const keyColumn = keyText('entry.key', entry.key);
    const threadColumn = keyText('entry.threadId', entry.threadId);
    const written = effectEntryRecord({
      ...entry,
      version: 1,
      state: 'intent',
      decidedBy: undefined,
      approval: undefined,
      reason: undefined,
      result: undefined,
    });
    const row = encodeRow(keyOf(entry.key), written, this.#db.maxRecordBytes);
    const s = this.#db.schema;
    const [tool, argsHash] = callColumns(written);
    const { rowCount } = await this.#db.run(
      `INSERT INTO ${s}.journal
         (key, thread_id, begun_step, version, state, body, checksum, tool, args_hash)
       VALUES ($1, $2, coalesce((SELECT step FROM ${s}.threads WHERE thread_id = $2), 0),
               1, 'intent', $3, $4, $5, $6)
       ON CONFLICT (key) DO NOTHING`,
      [keyColumn, threadColumn, row.body, row.checksum, tool, argsHash],
    );
    if (rowCount !== 1) {
      throw new GovernanceError('ERR_JOURNAL_CONFLICT', `journal entry ${entry.key} exists`);
    }
    return decodeEntry(entry.key, row.body, row.checksum);
  }

  async get(key: string): Promise<EffectEntry | undefined> {
    const keyColumn = lookupText(key);
    if (keyColumn === undefined) return undefined;
    const { rows } = await this.#db.run<{ body: string; checksum: string }>(
      `SELECT body, checksum FROM ${this.#db.schema}.journal WHERE key = $1`,
      [keyColumn],
    );
    return rows[0] === undefined ? undefined : decodeEntry(key, rows[0].body, rows[0].checksum);
  }

  async advance(key: string, expectedVersion: number, change: EffectChange): Promise<EffectEntry> {
    checks.record('change', change);
    const current = await this.get(key);
    if (current === undefined || current.version !== expectedVersion) {
      throw conflict(key, expectedVersion, current?.version);
    }
    checkTransition(current.state, change.state, key);
    const next = effectEntryRecord({
      ...current,
      version: current.version + 1,
      state: change.state,
      at: change.at,
      decidedBy: change.decidedBy ?? current.decidedBy,
      approval: change.approval ?? current.approval,
      reason: change.reason ?? current.reason,
      result: change.result === undefined ? current.result : change.result,
    });
    const row = encodeRow(keyOf(key), next, this.#db.maxRecordBytes);
    const { rowCount } = await this.#db.run(
      `UPDATE ${this.#db.schema}.journal SET version = $3, state = $4, body = $5, checksum = $6
       WHERE key = $1 AND version = $2`,
      [keyText('key', key), expectedVersion, next.version, next.state, row.body, row.checksum],
    );
    if (rowCount !== 1) throw conflict(key, expectedVersion, undefined);
    return decodeEntry(key, row.body, row.checksum);
  }

  async list(threadId: string): Promise<readonly EffectEntry[]> {
    const threadColumn = lookupText(threadId);
    if (threadColumn === undefined) return [];
    const { rows } = await this.#db.run<{ key: string; body: string; checksum: string }>(
      `SELECT key, body, checksum FROM ${this.#db.schema}.journal
       WHERE thread_id = $1 ORDER BY position`,
      [threadColumn],
    );
    return rows.map((row) => decodeEntry(keyFromText(row.key), row.body, row.checksum));
  }

  async listCall(
    threadId: string,
    tool: string,
    argsHash: string,
  ): Promise<readonly EffectEntry[]> {
    const threadColumn = lookupText(threadId);
    const [toolColumn, hashColumn] = callColumns({ tool, argsHash });
    if (threadColumn === undefined || toolColumn === null) return [];
    // Through the index on (thread, tool, args_hash, position); rows with null call columns
    // come too (the upgrade could not read their body: reading them reports it, as `list` does).
    const s = this.#db.schema;
    const { rows } = await this.#db.run<{ key: string; body: string; checksum: string }>(
      `SELECT key, body, checksum, position FROM ${s}.journal
       WHERE thread_id = $1 AND tool = $2 AND args_hash = $3
       UNION ALL
       SELECT key, body, checksum, position FROM ${s}.journal
       WHERE thread_id = $1 AND tool IS NULL
       ORDER BY position`,
      [threadColumn, toolColumn, hashColumn],
    );
    // The body decides, checked on its checksum; the columns only find the rows.
    return rows
      .map((row) => decodeEntry(keyFromText(row.key), row.body, row.checksum))
      .filter((entry) => entry.tool === tool && entry.argsHash === argsHash);
  }
}

function conflict(key: string, expected: number, found: number | undefined): GovernanceError {
  return new GovernanceError(
    'ERR_JOURNAL_CONFLICT',
    `journal entry ${key}: expected version ${expected}, found ${found ?? 'another'}`,
  );
}

function decodeEntry(key: string, body: string, checksum: string): EffectEntry {
  const e = decodeRow(keyOf(key), body, checksum) as EffectEntry | null;
  if (typeof e !== 'object' || e === null || e.key !== key || !Number.isInteger(e.version)) {
    throw corrupt(keyOf(key), 'it does not hold a journal entry');
  }
  return Object.freeze(effectEntryRecord(e));
}
