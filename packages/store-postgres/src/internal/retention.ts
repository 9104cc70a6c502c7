import type { PruneReport, Retention, StorageUsage } from '@warden/agents';
import { checks } from '../postgres-store-options.js';
import type { Database, Queryable } from './database.js';
import { checkKey } from './row-key.js';

/**
 * Removes a thread's history beyond the retention, in one transaction holding the thread's head
 * row (a commit racing with it waits). A finished thread older than `finishedOlderThanMs` goes
 * whole. Otherwise the newest `keepLast` checkpoints stay, with every message row one of them
 * reads; the rest of the message rows go. Journal entries go only with their thread: an entry's
 * step is not recorded, so no entry can be shown to be behind every kept checkpoint.
 */
export async function prune(
  db: Database,
  threadId: string,
  retention: Retention,
): Promise<PruneReport> {
  checkKey('threadId', threadId);
  checks.record('retention', retention);
  const keepLast = checks.int('retention.keepLast', retention.keepLast, 1);
  const now = checks.number('retention.now', retention.now, Number.NEGATIVE_INFINITY);
  const olderThan =
    retention.finishedOlderThanMs === undefined
      ? undefined
      : checks.number('retention.finishedOlderThanMs', retention.finishedOlderThanMs, 0);
  const s = db.schema;
  return db.transaction(async (tx) => {
    const { rows } = await tx.run<{ head: number; finished: boolean; committed_at: number }>(
      `SELECT head, finished, committed_at FROM ${s}.threads WHERE thread_id = $1 FOR UPDATE`,
      [threadId],
    );
    const thread = rows[0];
    if (thread === undefined) return { checkpoints: 0, messages: 0, journalEntries: 0, threads: 0 };
    if (olderThan !== undefined && thread.finished && thread.committed_at <= now - olderThan) {
      const checkpoints = await count(
        tx,
        `DELETE FROM ${s}.checkpoints WHERE thread_id = $1`,
        threadId,
      );
      const messages = await count(tx, `DELETE FROM ${s}.messages WHERE thread_id = $1`, threadId);
      const journalEntries = await count(
        tx,
        `DELETE FROM ${s}.journal WHERE thread_id = $1`,
        threadId,
      );
      await tx.run(`DELETE FROM ${s}.memory WHERE thread_id = $1`, [threadId]);
      await tx.run(`DELETE FROM ${s}.threads WHERE thread_id = $1`, [threadId]);
      return { checkpoints, messages, journalEntries, threads: 1 };
    }
    const checkpoints = (
      await tx.run(`DELETE FROM ${s}.checkpoints WHERE thread_id = $1 AND version <= $2::int`, [
        threadId,
        thread.head - keepLast,
      ])
    ).rowCount;
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
      threadId,
    );
    return { checkpoints: checkpoints ?? 0, messages, journalEntries: 0, threads: 0 };
  });
}

export async function usage(db: Database, threadId: string): Promise<StorageUsage> {
  checkKey('threadId', threadId);
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
    [threadId],
  );
  const row = rows[0];
  const checkpoints = row?.checkpoints ?? 0;
  const bytes = Number(row?.bytes ?? 0);
  const step = row?.step ?? 0;
  return { threadId, checkpoints, bytes, bytesPerStep: step > 0 ? bytes / step : 0 };
}

async function count(tx: Queryable, text: string, threadId: string): Promise<number> {
  return (await tx.run(text, [threadId])).rowCount ?? 0;
}
