import type { CheckpointRow } from './checkpoint-rows.js';
import type { Connection } from './connection.js';
import { messageSources } from './message-sources.js';
import { rowChecksum } from './row-checksum.js';

/** How many messages rows from `version` down carry (rows from before they did carry none). */
const CARRIED = `SELECT coalesce(sum(length - first), 0) AS n FROM checkpoints
  WHERE thread = ? AND version < ? AND first IS NOT NULL`;
const DROP_CHECKPOINTS = 'DELETE FROM checkpoints WHERE thread = ? AND version < ?';
const STORED_BEFORE = 'SELECT idx, version FROM messages WHERE thread = ? AND version < ?';
const DROP_MESSAGE = 'DELETE FROM messages WHERE thread = ? AND idx = ? AND version = ?';
const INSERT_MESSAGE = `INSERT INTO messages (thread, idx, version, body, bytes, sum)
  VALUES (?, ?, ?, ?, ?, ?)`;

/**
 * Removes the thread's checkpoints older than `oldest` (a kept row, verified) and every copy of
 * a message no kept checkpoint reads, in the caller's transaction; answers how many of each went.
 * A kept checkpoint reads the messages `oldest` reads from before it and its own rows' from
 * after, so what `oldest` reads out of a row about to go is moved into `messages` first, under
 * the version that wrote it; every other copy older than `oldest` goes.
 */
export function dropCheckpointsBefore(
  conn: Connection,
  oldest: CheckpointRow,
): { checkpoints: number; messages: number } {
  const { thread, version } = oldest;
  const sources = messageSources(conn, oldest, 0, oldest.length);
  const read = new Set<string>();
  let moved = 0;
  const insert = conn.statement(INSERT_MESSAGE);
  for (const { idx, version: wrote, text, inline } of sources) {
    if (wrote >= version) continue;
    read.add(`${idx}:${wrote}`);
    if (!inline) continue;
    const bytes = Buffer.byteLength(thread) + Buffer.byteLength(text) + 16 + 8 * 4;
    insert.run(
      thread,
      idx,
      wrote,
      text,
      bytes,
      rowChecksum('messages', [thread, idx, wrote, text, bytes]),
    );
    moved++;
  }
  const { n: carried } = conn.statement(CARRIED).get(thread, version) as { n: number };
  const checkpoints = conn.statement(DROP_CHECKPOINTS).run(thread, version).changes;
  let dropped = 0;
  const drop = conn.statement(DROP_MESSAGE);
  const stored = conn.statement(STORED_BEFORE).all(thread, version) as {
    idx: number;
    version: number;
  }[];
  for (const row of stored) {
    if (!read.has(`${row.idx}:${row.version}`))
      dropped += drop.run(thread, row.idx, row.version).changes;
  }
  return { checkpoints, messages: carried - moved + dropped };
}

/** Removes every checkpoint of the thread and every message they carry or kept. */
export function dropAllCheckpoints(
  conn: Connection,
  thread: string,
): { checkpoints: number; messages: number } {
  const { n: carried } = conn.statement(CARRIED).get(thread, Number.MAX_SAFE_INTEGER) as {
    n: number;
  };
  const checkpoints = conn
    .statement('DELETE FROM checkpoints WHERE thread = ?')
    .run(thread).changes;
  const stored = conn.statement('DELETE FROM messages WHERE thread = ?').run(thread).changes;
  conn.statement('DELETE FROM threads WHERE thread = ?').run(thread);
  return { checkpoints, messages: carried + stored };
}
