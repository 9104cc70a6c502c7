import {
  type AgentResult,
  type Checkpoint,
  decodeStoreJson,
  encodeStoreJson,
} from '@warden/agents';
import type { Connection } from './connection.js';
import { corruptRow, rowChecksum, verifyRow } from './row-checksum.js';

const COLUMNS = `thread, version, step, length, finished, at, body, bytes, first,
  kept_from AS keptFrom, messages, sum, messages_sum AS messagesSum`;
const JOINED = `SELECT c.thread, c.version, c.step, c.length, c.finished, c.at, c.body, c.bytes,
  c.first, c.kept_from AS keptFrom, c.messages, c.sum, c.messages_sum AS messagesSum,
  t.agent AS threadAgent,
  t.task AS threadTask, t.bytes AS threadBytes, t.sum AS threadSum
  FROM checkpoints AS c LEFT JOIN threads AS t ON t.thread = c.thread`;
const HEAD = `${JOINED} WHERE c.thread = ? ORDER BY c.version DESC LIMIT 1`;
const AT = `${JOINED} WHERE c.thread = ? AND c.version = ?`;
const ROW = `SELECT ${COLUMNS} FROM checkpoints WHERE thread = ? AND version = ?`;
/** What a commit reads of the head: its version and messages, and its thread's constants. */
const COMMIT_HEAD = `SELECT c.thread, c.version, c.length, c.first, c.kept_from AS keptFrom,
  c.messages, c.messages_sum AS messagesSum, t.agent AS threadAgent, t.task AS threadTask,
  t.sum AS threadSum
  FROM checkpoints AS c LEFT JOIN threads AS t ON t.thread = c.thread
  WHERE c.thread = ? ORDER BY c.version DESC LIMIT 1`;
/**
 * Up to a number of rows from a version down, newest first, with the columns their messages are
 * summed on: a walk reads them a batch at a time, as far as it needs (one statement per row
 * costs more than the rows it reads).
 */
export const CARRIERS_FROM = `SELECT thread, version, length, first, kept_from AS keptFrom,
  messages, messages_sum AS messagesSum FROM checkpoints
  WHERE thread = ? AND version <= ? ORDER BY version DESC LIMIT ?`;
export const INSERT_CHECKPOINT = `INSERT INTO checkpoints (thread, version, step, length, finished,
  at, body, bytes, first, kept_from, messages, sum, messages_sum)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const PUT_THREAD = `INSERT INTO threads (thread, agent, task, bytes, sum) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (thread) DO UPDATE SET agent = excluded.agent, task = excluded.task,
  bytes = excluded.bytes, sum = excluded.sum`;

/** The columns of a checkpoint row a walk for its messages reads. */
export interface CarrierColumns {
  thread: string;
  version: number;
  length: number;
  /**
   * The index of the first message the row carries: its commit wrote messages `first` to
   * `length - 1`, kept the ones before from its head. Null in a row written before rows carried
   * messages (its messages are in `messages`).
   */
  first: number | null;
  /**
   * The version whose row holds message `first - 1`, the newest of those the row kept (0 when it
   * kept none): the next row a walk for the kept messages needs, every row between holding none
   * of them. Null in a row written before rows named it (a walk goes on one version down).
   */
  keptFrom: number | null;
  /** The JSON of each message the row carries, one a line (JSON text holds no raw newline). */
  messages: string | null;
}

export interface CarrierRow extends CarrierColumns {
  /** Null in a row written before rows were summed in two parts (`sum` covers every column). */
  messagesSum: string | null;
}

/** Every column of a checkpoint row but its checksums. */
export interface CheckpointColumns extends CarrierColumns {
  step: number;
  finished: number;
  at: number;
  body: string;
  bytes: number;
}

export interface CheckpointRow extends CheckpointColumns, CarrierRow {
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

/** What a commit reads of the thread's head, with its thread's agent and task (not checked). */
export interface CommitHead extends CarrierRow {
  threadAgent: string | null;
  threadTask: string | null;
  threadSum: string | null;
}

/** The thread's head row, checked; undefined for a thread never committed (or removed). */
export function headRow(conn: Connection, threadId: string): HeadRow | undefined {
  const row = conn.statement(HEAD).get(threadId) as HeadRow | undefined;
  if (row !== undefined) verifyCheckpointRow(row);
  return row;
}

/**
 * What a commit reads of the head, checked on it (its version, length and messages); undefined
 * for a thread never committed. Its other columns are neither read nor needed.
 */
export function commitHead(conn: Connection, threadId: string): CommitHead | undefined {
  const row = conn.statement(COMMIT_HEAD).get(threadId) as CommitHead | undefined;
  if (row !== undefined) verifyCarrierRow(conn, row);
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
 * The two checksums of a row written now: its fields, and its messages. Each covers the row's
 * key (thread and version) and its length, so that no part can be moved to another row.
 */
export function checkpointSums(row: CheckpointColumns): { sum: string; messagesSum: string } {
  return { sum: fieldsSum(row), messagesSum: carrierSum(row) };
}

/**
 * Checks every column of a row. A row is in one of four forms, told apart by which of `first`,
 * `messages`, `messagesSum` and `keptFrom` are null: written before rows carried messages (all
 * four: `sum` covers the columns it had), before rows were summed in two parts (the last two:
 * `sum` covers every column), before rows named `keptFrom` (that one: `sum` covers the fields,
 * `messagesSum` the messages), or since (none: `messagesSum` covers `keptFrom` too). Any other
 * mix is a damaged row, and so is a null put into any of them, since the form it takes the row
 * for sums it on other columns.
 */
function verifyCheckpointRow(row: CheckpointRow): void {
  const { thread, version, step, length, finished, at, body, bytes, first, messages } = row;
  let ok: boolean;
  if (row.messagesSum !== null && first !== null && messages !== null) {
    ok = row.messagesSum === carrierSum(row) && row.sum === fieldsSum(row);
  } else if (first !== null && messages !== null && row.keptFrom === null) {
    const all = [thread, version, step, length, finished, at, body, bytes, first, messages];
    ok = row.sum === rowChecksum('checkpoints', all);
  } else if (
    first === null &&
    messages === null &&
    row.messagesSum === null &&
    row.keptFrom === null
  ) {
    const had = [thread, version, step, length, finished, at, body, bytes];
    ok = row.sum === rowChecksum('checkpoints', had);
  } else {
    ok = false;
  }
  if (!ok) throw corruptRow('checkpoints', { thread, version });
}

/**
 * Checks what a walk reads of a row, its messages; a row of an older form, summed as a whole, is
 * read whole to be checked.
 */
export function verifyCarrierRow(conn: Connection, row: CarrierRow): void {
  if (row.messagesSum !== null && row.first !== null && row.messages !== null) {
    if (row.messagesSum === carrierSum(row)) return;
    throw corruptRow('checkpoints', { thread: row.thread, version: row.version });
  }
  const whole = conn.statement(ROW).get(row.thread, row.version) as CheckpointRow | undefined;
  if (whole === undefined) {
    throw corruptRow('checkpoints', { thread: row.thread, version: row.version }, 'is missing');
  }
  verifyCheckpointRow(whole);
}

function fieldsSum(row: CheckpointColumns): string {
  const { thread, version, step, length, finished, at, body, bytes } = row;
  return rowChecksum('checkpoint fields', [
    thread,
    version,
    step,
    length,
    finished,
    at,
    body,
    bytes,
  ]);
}

function carrierSum(row: CarrierColumns): string {
  const { thread, version, length, first, keptFrom, messages } = row;
  return keptFrom === null
    ? rowChecksum('checkpoint messages', [thread, version, length, first, messages])
    : rowChecksum('checkpoint messages', [thread, version, length, first, keptFrom, messages]);
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
