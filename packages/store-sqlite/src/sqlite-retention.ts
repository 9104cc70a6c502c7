import {
  checkRetention,
  type EffectState,
  isExpiredThread,
  isPrunableEffect,
  type PruneReport,
  type Retention,
  type StorageUsage,
} from '@warden/agents';
import { dropAllCheckpoints, dropCheckpointsBefore } from './internal/checkpoint-pruning.js';
import { checkpointRowAt, headRow, threadBytes } from './internal/checkpoint-rows.js';
import type { Connection } from './internal/connection.js';
import { corruptRow } from './internal/row-checksum.js';
import { type JournalRow, journalEntry } from './sqlite-effect-journal.js';

const KEPT = `SELECT version, step, length FROM checkpoints WHERE thread = ?
  ORDER BY version DESC LIMIT ?`;
const JOURNAL_CANDIDATES = `SELECT seq, key, thread, version, state, begun_step, body, sum
  FROM journal WHERE thread = ? AND begun_step < ?`;
const DROP_ENTRY = 'DELETE FROM journal WHERE key = ?';
const DROP_JOURNAL = 'DELETE FROM journal WHERE thread = ?';
const DROP_MEMORY = 'DELETE FROM memory WHERE thread = ?';
const CHECKPOINT_USAGE = `SELECT count(*) AS n, coalesce(sum(bytes), 0) AS bytes
  FROM checkpoints WHERE thread = ?`;
const MESSAGE_USAGE = 'SELECT coalesce(sum(bytes), 0) AS bytes FROM messages WHERE thread = ?';

/**
 * Prunes one thread in one write transaction, by the rules every store shares
 * (`isExpiredThread`, `isPrunableEffect`): a finished thread past its age goes whole; otherwise
 * the newest `keepLast` checkpoints stay with every message they read, and settled journal
 * entries go once no kept checkpoint's step needs them. The head is never removed.
 */
export function pruneThread(conn: Connection, threadId: string, retention: Retention): PruneReport {
  checkRetention(retention);
  return conn.write(() => {
    const head = headRow(conn, threadId);
    if (head === undefined) return { checkpoints: 0, messages: 0, journalEntries: 0, threads: 0 };
    if (isExpiredThread(head.finished === 1, head.at, retention)) {
      const { checkpoints, messages } = dropAllCheckpoints(conn, threadId);
      const journalEntries = conn.statement(DROP_JOURNAL).run(threadId).changes;
      conn.statement(DROP_MEMORY).run(threadId);
      return { checkpoints, messages, journalEntries, threads: 1 };
    }
    const kept = conn.statement(KEPT).all(threadId, retention.keepLast) as {
      version: number;
      step: number;
      length: number;
    }[];
    const oldest = kept[kept.length - 1] ?? head;
    const oldestStep = Math.min(...kept.map((k) => k.step));
    const oldestRow =
      oldest.version === head.version ? head : checkpointRowAt(conn, threadId, oldest.version);
    if (oldestRow === undefined) {
      throw corruptRow('checkpoints', { thread: threadId, version: oldest.version }, 'is missing');
    }
    const { checkpoints, messages } = dropCheckpointsBefore(conn, oldestRow);
    let journalEntries = 0;
    const candidates = conn.statement(JOURNAL_CANDIDATES).all(threadId, oldestStep - 1);
    for (const row of candidates as JournalRow[]) {
      // Checked before it is acted on: a damaged row is reported, never removed unseen.
      const entry = journalEntry(row);
      if (isPrunableEffect(entry.state as EffectState, row.begun_step, oldestStep)) {
        journalEntries += conn.statement(DROP_ENTRY).run(row.key).changes;
      }
    }
    return { checkpoints, messages, journalEntries, threads: 0 };
  });
}

export function threadUsage(conn: Connection, threadId: string): StorageUsage {
  return conn.read(() => {
    const head = headRow(conn, threadId);
    const rows = conn.statement(CHECKPOINT_USAGE).get(threadId) as { n: number; bytes: number };
    const messages = conn.statement(MESSAGE_USAGE).get(threadId) as { bytes: number };
    const bytes = rows.bytes + messages.bytes + (head === undefined ? 0 : threadBytes(head));
    const step = head?.step ?? 0;
    return { threadId, checkpoints: rows.n, bytes, bytesPerStep: step > 0 ? bytes / step : 0 };
  });
}
