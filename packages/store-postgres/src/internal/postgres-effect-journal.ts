import {
  checkTransition,
  type EffectChange,
  type EffectEntry,
  type EffectJournal,
  type EffectState,
  GovernanceError,
  type NewEffect,
} from '@warden/agents';
import { checks } from '../postgres-store-options.js';
import type { Database } from './database.js';
import { corrupt, decodeRow, encodeRow } from './row-codec.js';
import { checkKey, isStorableKey } from './row-key.js';

const keyOf = (key: string): string => JSON.stringify(['journal', key]);

/**
 * The effect journal in one table, one row per call. A transition is one conditional UPDATE on
 * the entry's version: of two nodes that both think they own a call, one moves it and the other
 * gets `ERR_JOURNAL_CONFLICT`, so a call is never run twice by a race.
 */
export class PostgresEffectJournal implements EffectJournal {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async begin(entry: NewEffect): Promise<EffectEntry> {
    checks.record('entry', entry);
    checkKey('entry.key', entry.key);
    checkKey('entry.threadId', entry.threadId);
    const written = entryOf(
      entry,
      1,
      'intent',
      entry.at,
      undefined,
      undefined,
      undefined,
      undefined,
    );
    const row = encodeRow(keyOf(entry.key), written, this.#db.maxRecordBytes);
    const { rowCount } = await this.#db.run(
      `INSERT INTO ${this.#db.schema}.journal (key, thread_id, version, state, body, checksum)
       VALUES ($1, $2, 1, 'intent', $3, $4) ON CONFLICT (key) DO NOTHING`,
      [entry.key, entry.threadId, row.body, row.checksum],
    );
    if (rowCount !== 1) {
      throw new GovernanceError('ERR_JOURNAL_CONFLICT', `journal entry ${entry.key} exists`);
    }
    return written;
  }

  async get(key: string): Promise<EffectEntry | undefined> {
    if (!isStorableKey(key)) return undefined;
    const { rows } = await this.#db.run<{ body: string; checksum: string }>(
      `SELECT body, checksum FROM ${this.#db.schema}.journal WHERE key = $1`,
      [key],
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
    const next = entryOf(
      current,
      current.version + 1,
      change.state,
      change.at,
      change.decidedBy ?? current.decidedBy,
      change.approval ?? current.approval,
      change.reason ?? current.reason,
      change.result === undefined ? current.result : change.result,
    );
    const row = encodeRow(keyOf(key), next, this.#db.maxRecordBytes);
    const { rowCount } = await this.#db.run(
      `UPDATE ${this.#db.schema}.journal SET version = $3, state = $4, body = $5, checksum = $6
       WHERE key = $1 AND version = $2`,
      [key, expectedVersion, next.version, next.state, row.body, row.checksum],
    );
    if (rowCount !== 1) throw conflict(key, expectedVersion, undefined);
    return next;
  }

  async list(threadId: string): Promise<readonly EffectEntry[]> {
    if (!isStorableKey(threadId)) return [];
    const { rows } = await this.#db.run<{ key: string; body: string; checksum: string }>(
      `SELECT key, body, checksum FROM ${this.#db.schema}.journal
       WHERE thread_id = $1 ORDER BY position`,
      [threadId],
    );
    return rows.map((row) => decodeEntry(row.key, row.body, row.checksum));
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
  return entryOf(e, e.version, e.state, e.at, e.decidedBy, e.approval, e.reason, e.result);
}

/** The journal's one entry shape (every field present, in one order), frozen. */
function entryOf(
  base: NewEffect,
  version: number,
  state: EffectState,
  at: number,
  decidedBy: string | undefined,
  approval: string | undefined,
  reason: string | undefined,
  result: unknown,
): EffectEntry {
  return Object.freeze({
    key: base.key,
    version,
    state,
    agent: base.agent,
    threadId: base.threadId,
    tool: base.tool,
    effect: base.effect,
    argsHash: base.argsHash,
    scopes: base.scopes,
    at,
    decidedBy,
    approval,
    reason,
    result,
  });
}
