import {
  checkTransition,
  decodeStoreJson,
  type EffectChange,
  type EffectEntry,
  type EffectJournal,
  effectEntryRecord,
  encodeStoreJson,
  GovernanceError,
  type NewEffect,
  storeJsonCopy,
} from '@warden/agents';
import { headRow } from './internal/checkpoint-rows.js';
import type { Connection } from './internal/connection.js';
import { corruptRow, rowChecksum, verifyRow } from './internal/row-checksum.js';

const TABLE = 'journal';
const ROW =
  'SELECT seq, key, thread, version, state, begun_step, body, sum FROM journal WHERE key = ?';
const OF_THREAD = `SELECT seq, key, thread, version, state, begun_step, body, sum FROM journal
  WHERE thread = ? ORDER BY seq`;
/**
 * One call's rows, in the order they began, through the index on (thread, tool, args_hash),
 * named so that the planner, which has no statistics, cannot prefer scanning the thread. Rows
 * whose call columns are null come too: the upgrade to schema 6 could not read the call out of
 * their body, which is damaged, and reading them reports it, as `list` would.
 */
const OF_CALL = `SELECT seq, key, thread, version, state, begun_step, body, sum
  FROM journal INDEXED BY journal_by_call
  WHERE thread = @thread AND tool = @tool AND args_hash = @argsHash
  UNION ALL SELECT seq, key, thread, version, state, begun_step, body, sum
  FROM journal INDEXED BY journal_by_call WHERE thread = @thread AND tool IS NULL
  ORDER BY seq`;
const NEXT_SEQ = 'SELECT coalesce(max(seq), 0) + 1 AS seq FROM journal';
const INSERT = `INSERT INTO journal
  (seq, key, thread, version, state, begun_step, body, sum, tool, args_hash)
  VALUES (@seq, @key, @thread, @version, @state, @begunStep, @body, @sum, @tool, @argsHash)`;
const UPDATE = `UPDATE journal SET version = @version, state = @state, body = @body, sum = @sum
  WHERE key = @key AND version = @expected`;

export interface JournalRow {
  seq: number;
  key: string;
  thread: string;
  version: number;
  state: string;
  begun_step: number;
  body: string;
  sum: string;
}

/**
 * The effect journal in SQLite: one row per tool call, indexed by thread and by call (tool and
 * arguments' hash, copied out of the body into columns of their own), so that `listCall` reads
 * one call's rows and not the thread's. `advance` reads the row, checks the
 * version and the lifecycle, and writes the next version in one write transaction, with the
 * UPDATE itself conditional on the version read, so two processes that both think they own a
 * call cannot both move it. Each entry records the step of its thread's head when it began: what
 * pruning goes by.
 *
 * Every write of a call that may have an effect is synced before it resolves: `executing` is on
 * the disk before `run` starts, with everything written before it. A read's entries are not
 * (`SyncMode`): after a power loss, a read is at worst run again.
 */
export class SqliteEffectJournal implements EffectJournal {
  constructor(private readonly conn: Connection) {}

  async begin(entry: NewEffect): Promise<EffectEntry> {
    const written = effectEntryRecord({
      ...storeJsonCopy(entry, 'journal entry'),
      version: 1,
      state: 'intent',
      decidedBy: undefined,
      approval: undefined,
      reason: undefined,
      result: undefined,
    });
    const body = encodeStoreJson(written, 'journal entry');
    this.conn.checkSize(body, TABLE, { key: written.key });
    const read = written.effect === 'read';
    if (read) this.conn.noteRead(written.key);
    return this.conn.writeWhen(read ? 'lazily' : 'synced', () => {
      if (this.conn.statement(ROW).get(written.key) !== undefined) {
        throw new GovernanceError('ERR_JOURNAL_CONFLICT', `journal entry ${written.key} exists`);
      }
      const { seq } = this.conn.statement(NEXT_SEQ).get() as { seq: number };
      const row: Omit<JournalRow, 'sum'> = {
        seq,
        key: written.key,
        thread: written.threadId,
        version: 1,
        state: 'intent',
        begun_step: headRow(this.conn, written.threadId)?.step ?? 0,
        body,
      };
      this.conn.statement(INSERT).run({
        seq: row.seq,
        key: row.key,
        thread: row.thread,
        version: row.version,
        state: row.state,
        begunStep: row.begun_step,
        body: row.body,
        sum: rowChecksum(TABLE, journalFields(row)),
        tool: callColumn(written.tool),
        argsHash: callColumn(written.argsHash),
      });
      return written;
    });
  }

  async get(key: string): Promise<EffectEntry | undefined> {
    return this.conn.read(() => {
      const row = this.conn.statement(ROW).get(key) as JournalRow | undefined;
      return row === undefined ? undefined : journalEntry(row);
    });
  }

  async advance(key: string, expectedVersion: number, change: EffectChange): Promise<EffectEntry> {
    const result = storeJsonCopy(change.result, 'result');
    const when = this.conn.isKnownRead(key) ? 'lazily' : 'synced';
    return this.conn.writeWhen(when, () => {
      const row = this.conn.statement(ROW).get(key) as JournalRow | undefined;
      const current = row === undefined ? undefined : journalEntry(row);
      if (row === undefined || current === undefined || current.version !== expectedVersion) {
        throw new GovernanceError(
          'ERR_JOURNAL_CONFLICT',
          `journal entry ${key}: expected version ${expectedVersion}, found ${current?.version ?? 'none'}`,
        );
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
        result: result === undefined ? current.result : result,
      });
      const body = encodeStoreJson(next, 'journal entry');
      this.conn.checkSize(body, TABLE, { key });
      const written = { ...row, version: next.version, state: next.state, body };
      const { changes } = this.conn.statement(UPDATE).run({
        key,
        expected: expectedVersion,
        version: next.version,
        state: next.state,
        body,
        sum: rowChecksum(TABLE, journalFields(written)),
      });
      if (changes !== 1) throw corruptRow(TABLE, { key }, 'changed under its write lock');
      return next;
    });
  }

  async list(threadId: string): Promise<readonly EffectEntry[]> {
    return this.conn.read(() =>
      (this.conn.statement(OF_THREAD).all(threadId) as JournalRow[]).map(journalEntry),
    );
  }

  async listCall(
    threadId: string,
    tool: string,
    argsHash: string,
  ): Promise<readonly EffectEntry[]> {
    return this.conn.read(() => {
      const rows = this.conn
        .statement(OF_CALL)
        .all({ thread: threadId, tool, argsHash }) as JournalRow[];
      // The body decides, checked on the row's checksum; the columns only find the rows.
      return rows
        .map(journalEntry)
        .filter((entry) => entry.tool === tool && entry.argsHash === argsHash);
    });
  }
}

/** The call columns are a copy of what the body holds, for the index; text or nothing. */
function callColumn(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The entry a row holds, checked against its checksum and its own columns. */
export function journalEntry(row: JournalRow): EffectEntry {
  const key = { key: row.key };
  verifyRow(TABLE, key, row.sum, journalFields(row));
  const entry = decodeStoreJson(row.body, TABLE, key) as EffectEntry | null;
  if (
    typeof entry !== 'object' ||
    entry === null ||
    entry.key !== row.key ||
    entry.version !== row.version ||
    entry.state !== row.state
  ) {
    throw corruptRow(TABLE, key, 'does not hold the entry its columns name');
  }
  return effectEntryRecord(entry);
}

function journalFields(row: Omit<JournalRow, 'sum'>): (string | number)[] {
  return [row.seq, row.key, row.thread, row.version, row.state, row.begun_step, row.body];
}
