import {
  type AgentResult,
  type Checkpoint,
  decodeStoreJson,
  encodeStoreJson,
} from '@warden/agents';
import type { Connection } from './connection.js';
import { corruptRow, rowChecksum, verifyRow } from './row-checksum.js';

const COLUMNS = 'thread, version, step, length, finished, at, body, bytes, first, messages, sum';
const JOINED = `SELECT c.thread, c.version, c.step, c.length, c.finished, c.at, c.body, c.bytes,
  c.first, c.messages, c.sum, t.agent AS threadAgent, t.task AS threadTask,
  t.bytes AS threadBytes, t.sum AS threadSum
  FROM checkpoints AS c LEFT JOIN threads AS t ON t.thread = c.thread`;
const HEAD = `${JOINED} WHERE c.thread = ? ORDER BY c.version DESC LIMIT 1`;
const AT = `${JOINED} WHERE c.thread = ? AND c.version = ?`;
/** The rows before a version, newest first: read one by one, as far as a walk needs. */
export const EARLIER_ROWS = `SELECT ${COLUMNS} FROM checkpoints
  WHERE thread = ? AND version < ? ORDER BY version DESC`;
export const INSERT_CHECKPOINT = `INSERT INTO checkpoints (${COLUMNS})
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const PUT_THREAD = `INSERT INTO threads (thread, agent, task, bytes, sum) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (thread) DO UPDATE SET agent = excluded.agent, task = excluded.task,
  bytes = excluded.bytes, sum = excluded.sum`;

/** The columns a checkpoint row's checksum covers. */
export interface CheckpointColumns {
  thread: string;
  version: number;
  step: number;
  length: number;
  finished: number;
  at: number;
  body: string;
  bytes: number;
  /**
   * The index of the first message the row carries: its commit wrote messages `first` to
   * `length - 1`, kept the ones before from its head. Null in a row written before rows carried
   * messages (its messages are in `messages`).
   */
  first: number | null;
  /** The JSON of each message the row carries, one a line (JSON text holds no raw newline). */
  messages: string | null;
}

export interface CheckpointRow extends CheckpointColumns {
  sum: string;
}

/**
 * A checkpoint row with its thread's row beside it (null columns when the thread has none: a
 * thread last committed before the store kept threads). Only the checkpoint row is verified on
 * reading it; the thread's is verified where it is used (`checkpointFields`, `threadBytes`).
 */
export interface HeadRow extends CheckpointRow {
  threadAgent: string | null;
  threadTask: string | null;
  threadBytes: number | null;
  threadSum: string | null;
}

/** What a checkpoint row's body holds: the fields no column has, `agent` and `task` only where they differ from the thread's. */
export interface CheckpointBody {
  state: Checkpoint['state'];
  spent: Checkpoint['spent'];
  result?: AgentResult;
  agent?: string;
  task?: string;
}

/** The thread's head row, checked; undefined for a thread never committed (or removed). */
export function headRow(conn: Connection, threadId: string): HeadRow | undefined {
  const row = conn.statement(HEAD).get(threadId) as HeadRow | undefined;
  if (row !== undefined) verifyCheckpointRow(row);
  return row;
}

/** The row of checkpoint `version`, checked; undefined if the store does not keep it. */
export function checkpointRowAt(
  conn: Connection,
  threadId: string,
  version: number,
): HeadRow | undefined {
  const row = conn.statement(AT).get(threadId, version) as HeadRow | undefined;
  if (row !== undefined) verifyCheckpointRow(row);
  return row;
}

/**
 * A row's checksum. A row from before rows carried messages is summed, as it was written, on
 * the columns it had; setting `first` or `messages` of any row to null changes what is summed.
 */
export function checkpointSum(row: CheckpointColumns): string {
  const { thread, version, step, length, finished, at, body, bytes, first, messages } = row;
  return first === null && messages === null
    ? rowChecksum('checkpoints', [thread, version, step, length, finished, at, body, bytes])
    : rowChecksum('checkpoints', [
        thread,
        version,
        step,
        length,
        finished,
        at,
        body,
        bytes,
        first,
        messages,
      ]);
}

export function verifyCheckpointRow(row: CheckpointRow): void {
  if (row.sum !== checkpointSum(row)) {
    throw corruptRow('checkpoints', { thread: row.thread, version: row.version });
  }
}

/**
 * Keeps the thread's agent and task as its row, for the checkpoints that do not repeat them. It
 * replaces a row only a thread with no checkpoint can have (none is ever left so), since a
 * thread's first commit, or its first since the store kept threads, is the only one that puts
 * it.
 */
export function putThread(conn: Connection, threadId: string, agent: string, task: string): void {
  const key = { thread: threadId };
  const bytes = Buffer.byteLength(threadId) + conn.checkSize(agent + task, 'threads', key) + 24;
  const sum = rowChecksum('threads', [threadId, agent, task, bytes]);
  conn.statement(PUT_THREAD).run(threadId, agent, task, bytes, sum);
}

/**
 * A checkpoint's fields as its row holds them: the columns, the body, and the agent and task of
 * its thread's row where the body does not repeat them (every body written before the store
 * kept threads does).
 */
export function checkpointFields(row: HeadRow): Omit<Checkpoint, 'messages'> {
  const { thread, version } = row;
  const body = decodeStoreJson(row.body, 'checkpoints', { thread, version });
  if (typeof body !== 'object' || body === null) {
    throw corruptRow('checkpoints', { thread, version }, 'does not hold a checkpoint');
  }
  const fields = body as CheckpointBody;
  let { agent, task } = fields;
  if (agent === undefined || task === undefined) {
    const own = threadRow(row);
    agent ??= own.agent;
    task ??= own.task;
  }
  return { ...fields, threadId: thread, version, step: row.step, agent, task };
}

/** The bytes of the thread's own row (its agent and task), checked; 0 when it has none. */
export function threadBytes(row: HeadRow): number {
  return row.threadSum === null ? 0 : threadRow(row).bytes;
}

/** A row's size as usage counts it: its text columns, its checksum and 8 bytes per number. */
export function rowBytes(thread: string, textBytes: number, numbers: number): number {
  return Buffer.byteLength(thread) + textBytes + 16 + 8 * numbers;
}

export function encodeBody(body: CheckpointBody): string {
  return encodeStoreJson(body, 'checkpoint');
}

function threadRow(row: HeadRow): { agent: string; task: string; bytes: number } {
  const { thread, threadAgent: agent, threadTask: task, threadBytes: bytes } = row;
  if (row.threadSum === null || agent === null || task === null || bytes === null) {
    throw corruptRow('threads', { thread }, 'is missing');
  }
  verifyRow('threads', { thread }, row.threadSum, [thread, agent, task, bytes]);
  return { agent, task, bytes };
}
