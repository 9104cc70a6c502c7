import {
  type Checkpoint,
  type CheckpointStore,
  type CommitOptions,
  checkpointRecord,
  decodeStoreJson,
  encodeStoreJson,
  fenced,
  heldUnder,
  type Message,
  StaleHeadError,
  StoreError,
} from '@warden/agents';
import {
  type CheckpointBody,
  type CheckpointColumns,
  type CheckpointRow,
  checkpointFields,
  checkpointRowAt,
  checkpointSum,
  encodeBody,
  headRow,
  putThread,
  rowBytes,
} from './internal/checkpoint-rows.js';
import type { Connection } from './internal/connection.js';
import { corruptRow, rowChecksum, verifyRow } from './internal/row-checksum.js';
import { readLease } from './sqlite-lease-store.js';

/** For each index below the checkpoint's length, the newest row written at or before it. */
const MESSAGES = `SELECT idx, max(version) AS version, body, bytes, sum FROM messages
  WHERE thread = ? AND idx < ? AND version <= ? GROUP BY idx ORDER BY idx`;
const MESSAGE = `SELECT idx, version, body, bytes, sum FROM messages
  WHERE thread = ? AND idx = ? AND version <= ? ORDER BY version DESC LIMIT 1`;
const INSERT_MESSAGE = `INSERT INTO messages (thread, idx, version, body, bytes, sum)
  VALUES (?, ?, ?, ?, ?, ?)`;
const INSERT_CHECKPOINT = `INSERT INTO checkpoints
  (thread, version, step, length, finished, at, body, bytes, sum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

interface MessageRow {
  idx: number;
  version: number;
  body: string;
  bytes: number;
  sum: string;
}

/**
 * Checkpoints in SQLite, one row per commit and one row per message a commit wrote, and one row
 * per thread for what its commits share (the agent and the task). A commit is one write
 * transaction: its fence, the compare-and-set on the head and every row it writes, so a stale or
 * fenced writer writes nothing and a crash leaves the last commit whole. It writes the messages
 * after what its writer says is unchanged (checked on the last of them against the row the store
 * holds), so a step costs the rows it added, not the whole context.
 */
export class SqliteCheckpointStore implements CheckpointStore {
  constructor(private readonly conn: Connection) {}

  async commit(checkpoint: Checkpoint, options: CommitOptions): Promise<void> {
    const { threadId, version, agent, task } = checkpoint;
    if (!Number.isSafeInteger(checkpoint.step)) {
      throw new StoreError('ERR_INVALID_OPTION', `checkpoint step ${checkpoint.step}`, {
        field: 'checkpoint.step',
      });
    }
    for (const [field, value] of [
      ['agent', agent],
      ['task', task],
    ] as const) {
      if (typeof value !== 'string') {
        throw new StoreError('ERR_INVALID_OPTION', `checkpoint ${field} must be a string`, {
          field: `checkpoint.${field}`,
        });
      }
    }
    const fields: CheckpointBody = { state: checkpoint.state, spent: checkpoint.spent };
    if (checkpoint.result !== undefined) fields.result = checkpoint.result;
    let body = encodeBody(fields);
    this.conn.write(() => {
      const fence = options.fence;
      if (fence !== undefined && !heldUnder(readLease(this.conn, fence.key), fence.token)) {
        throw fenced(fence.key);
      }
      const head = headRow(this.conn, threadId);
      const current = head?.version ?? 0;
      if (current !== options.expectedHead) {
        throw new StaleHeadError(threadId, options.expectedHead, current);
      }
      if (version !== current + 1) {
        throw new RangeError(`checkpoint version ${version} does not follow head ${current}`);
      }
      const messages = checkpoint.messages;
      const keep = head === undefined ? 0 : this.#unchanged(head, messages, options);
      const insert = this.conn.statement(INSERT_MESSAGE);
      for (let idx = keep; idx < messages.length; idx++) {
        const text = encodeStoreJson(messages[idx], `message ${idx}`);
        const key = { thread: threadId, idx, version };
        const bytes = rowBytes(threadId, this.conn.checkSize(text, 'messages', key));
        const sum = rowChecksum('messages', [threadId, idx, version, text, bytes]);
        insert.run(threadId, idx, version, text, bytes, sum);
      }
      // The thread's row is compared, not verified: a body leaves out only what equals it, and a
      // damaged thread row is reported by the reads that use it.
      if (head === undefined || head.threadSum === null) {
        putThread(this.conn, threadId, agent, task);
      } else if (head.threadAgent !== agent || head.threadTask !== task) {
        if (head.threadAgent !== agent) fields.agent = agent;
        if (head.threadTask !== task) fields.task = task;
        body = encodeBody(fields);
      }
      const bodyBytes = this.conn.checkSize(body, 'checkpoints', { thread: threadId, version });
      const row: CheckpointColumns = {
        thread: threadId,
        version,
        step: checkpoint.step,
        length: messages.length,
        finished: checkpoint.result === undefined ? 0 : 1,
        at: this.conn.now(),
        body,
        bytes: rowBytes(threadId, bodyBytes),
      };
      const { step, length, finished, at, bytes } = row;
      this.conn
        .statement(INSERT_CHECKPOINT)
        .run(threadId, version, step, length, finished, at, body, bytes, checkpointSum(row));
    });
  }

  async latest(threadId: string): Promise<Checkpoint | undefined> {
    return this.conn.read(() => {
      const head = headRow(this.conn, threadId);
      return head === undefined ? undefined : this.#checkpoint(head);
    });
  }

  /** Any checkpoint the store still keeps (pruning keeps the newest), as it was committed. */
  async at(threadId: string, version: number): Promise<Checkpoint | undefined> {
    return this.conn.read(() => {
      const row = checkpointRowAt(this.conn, threadId, version);
      return row === undefined ? undefined : this.#checkpoint(row);
    });
  }

  #checkpoint(head: CheckpointRow): Checkpoint {
    const { thread, version, length } = head;
    const rows = this.conn.statement(MESSAGES).all(thread, length, version) as MessageRow[];
    const messages = rows.map((row, i) => {
      const key = { thread, idx: row.idx, version: row.version };
      verifyRow('messages', key, row.sum, [thread, row.idx, row.version, row.body, row.bytes]);
      if (row.idx !== i) throw corruptRow('messages', { thread, idx: i, version }, 'is missing');
      return decodeStoreJson(row.body, 'messages', key) as Message;
    });
    if (messages.length !== length) {
      throw corruptRow('messages', { thread, idx: messages.length, version }, 'is missing');
    }
    return Object.freeze(checkpointRecord(checkpointFields(head), Object.freeze(messages)));
  }

  /**
   * How many of the head's messages the commit keeps: what its writer says is unchanged, within
   * both lengths, if the last of them is, in JSON, the row the store holds there. Only that one
   * message before the kept ones is read, from the writer and from the file.
   */
  #unchanged(head: CheckpointRow, messages: readonly Message[], options: CommitOptions): number {
    const said = options.unchangedBefore ?? 0;
    if (!Number.isInteger(said) || said <= 0) return 0;
    const keep = Math.min(said, head.length, messages.length);
    if (keep === 0) return 0;
    const { thread, version } = head;
    const row = this.conn.statement(MESSAGE).get(thread, keep - 1, version) as
      | MessageRow
      | undefined;
    if (row === undefined)
      throw corruptRow('messages', { thread, idx: keep - 1, version }, 'is missing');
    const key = { thread, idx: row.idx, version: row.version };
    verifyRow('messages', key, row.sum, [thread, row.idx, row.version, row.body, row.bytes]);
    return encodeStoreJson(messages[keep - 1], `message ${keep - 1}`) === row.body ? keep : 0;
  }
}
