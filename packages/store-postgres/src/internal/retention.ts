import {
  checkRetention,
  isExpiredThread,
  type PruneReport,
  type Retention,
  SETTLED_EFFECT_STATES,
  type StorageUsage,
} from '@warden/agents';
import type { Database, Queryable } from './database.js';
import { keyText } from './row-key.js';

/**
 * Removes a thread's history beyond the retention, by the rules every store shares
 * (`isExpiredThread`, `isPrunableEffect`), in one transaction holding the thread's head row (a
 * commit racing with it waits, then finds the head it expected). A finished thread older than
 * `finishedOlderThanMs` goes whole, memory included. Otherwise the newest `keepLast` checkpoints
 * stay with every message row one of them reads, and settled journal entries that began before
 * the step before the oldest kept checkpoint's go.
 */
export async function prune(
  db: Database,
  threadId: string,
  retention: Retention,
): Promise<PruneReport> {
  const thread = keyText('threadId', threadId);
  checkRetention(retention);
  const s = db.schema;
  return db.transaction(async (tx) => {
    const { rows } = await tx.run<{ head: number; finished: boolean; committed_at: number }>(
      `SELECT head, finished, committed_at FROM ${s}.threads WHERE thread_id = $1 FOR UPDATE`,
      [thread],
    );
    const row = rows[0];
    if (row === undefined) return { checkpoints: 0, messages: 0, journalEntries: 0, threads: 0 };
    if (isExpiredThread(row.finished, row.committed_at, retention)) {
      const gone = (table: string) =>
        count(tx, `DELETE FROM ${s}.${table} WHERE thread_id = $1`, [thread]);
      const report = {
        checkpoints: await gone('checkpoints'),
        messages: await gone('messages'),
        journalEntries: await gone('journal'),
        threads: 1,
      };
      await gone('memory');
      await gone('threads');
      return report;
    }
    const checkpoints = await count(
      tx,
      `DELETE FROM ${s}.checkpoints WHERE thread_id = $1 AND version <= $2::int`,
      [thread, row.head - retention.keepLast],
    );
    // A message row stays if some kept checkpoint reads it: within its length, written at or
    // before it, and not rewritten at the same index before it.
    const messages = await count(
      tx,
      `DELETE FROM ${s}.messages m WHERE m.thread_id = $1 AND NOT EXISTS (
         SELECT 1 FROM ${s}.checkpoints c
         WHERE c.thread_id = $1 AND m.idx < c.length AND m.version <= c.version
           AND NOT EXISTS (
             SELECT 1 FROM ${s}.messages n
             WHERE n.thread_id = $1 AND n.idx = m.idx AND n.version > m.version
               AND n.version <= c.version))`,
      [thread],
    );
    // isPrunableEffect, as one statement: settled, and begun before the step before the oldest
    // kept checkpoint's step.
    const journalEntries = await count(
      tx,
      `DELETE FROM ${s}.journal WHERE thread_id = $1 AND state = ANY($2::text[])
         AND begun_step < (SELECT step FROM ${s}.checkpoints WHERE thread_id = $1
                           ORDER BY version LIMIT 1) - 1`,
      [thread, SETTLED_EFFECT_STATES],
    );
    return { checkpoints, messages, journalEntries, threads: 0 };
  });
}

export async function usage(db: Database, threadId: string): Promise<StorageUsage> {
  const thread = keyText('threadId', threadId);
  const s = db.schema;
  const { rows } = await db.run<{ checkpoints: number; bytes: string; step: number | null }>(
    `SELECT
       (SELECT count(*)::int FROM ${s}.checkpoints WHERE thread_id = $1) AS checkpoints,
       (SELECT coalesce(sum(octet_length(body) + octet_length(checksum)), 0)
          FROM ${s}.checkpoints WHERE thread_id = $1)
       + (SELECT coalesce(sum(octet_length(body) + octet_length(checksum)), 0)
          FROM ${s}.messages WHERE thread_id = $1) AS bytes,
       (SELECT c.step FROM ${s}.threads t
          JOIN ${s}.checkpoints c ON c.thread_id = t.thread_id AND c.version = t.head
          WHERE t.thread_id = $1) AS step`,
    [thread],
  );
  const row = rows[0];
  const checkpoints = row?.checkpoints ?? 0;
  const bytes = Number(row?.bytes ?? 0);
  const step = row?.step ?? 0;
  return { threadId, checkpoints, bytes, bytesPerStep: step > 0 ? bytes / step : 0 };
}

async function count(tx: Queryable, text: string, values: readonly unknown[]): Promise<number> {
  return (await tx.run(text, values)).rowCount ?? 0;
}
