import {
  type Checkpoint,
  type CheckpointStore,
  type CommitOptions,
  checkpointRecord,
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
  type CommitHead,
  checkpointFields,
  checkpointRowAt,
  checkpointSums,
  commitHead,
  encodeBody,
  type HeadRow,
  headRow,
  INSERT_CHECKPOINT,
  putThread,
  rowBytes,
} from './internal/checkpoint-rows.js';
import type { Connection } from './internal/connection.js';
import { decodeMessages, joinMessages, messageSources } from './internal/message-sources.js';
import { readLease } from './sqlite-lease-store.js';

/**
 * Checkpoints in SQLite: one row per commit, carrying the messages that commit wrote, and one
 * row per thread for what its commits share (the agent and the task). A commit is one write
 * transaction: its fence, the compare-and-set on the head and the one row it inserts, so a stale
 * or fenced writer writes nothing and a crash leaves the last commit whole. It writes the
 * messages after what its writer says is unchanged (checked on the last of them against the
 * copy the store holds), so a step costs the messages it added, not the whole context.
 *
 * A finished run's commit is synced before it resolves; a step's is synced by the next write
 * that must be (`SyncMode`): a power loss can take back the steps since, never one that an
 * effect, an approval or the run's answer followed.
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
    // A step's commit is an output of nothing: the next synced write (an effect's journal entry,
    // an approval, the run's last commit) takes it to the disk before anything can act on it.
    this.conn.writeWhen(checkpoint.result === undefined ? 'lazily' : 'synced', () => {
      const fence = options.fence;
      if (fence !== undefined && !heldUnder(readLease(this.conn, fence.key), fence.token)) {
        throw fenced(fence.key);
      }
      const head = commitHead(this.conn, threadId);
      const current = head?.version ?? 0;
      if (current !== options.expectedHead) {
        throw new StaleHeadError(threadId, options.expectedHead, current);
      }
      if (version !== current + 1) {
        throw new RangeError(`checkpoint version ${version} does not follow head ${current}`);
      }
      const messages = checkpoint.messages;
      const { keep: first, from: keptFrom } =
        head === undefined ? NOTHING_KEPT : this.#kept(head, messages, options);
      const texts: string[] = [];
      let textBytes = Math.max(0, messages.length - first - 1);
      for (let idx = first; idx < messages.length; idx++) {
        const text = encodeStoreJson(messages[idx], `message ${idx}`);
        textBytes += this.conn.checkSize(text, 'messages', { thread: threadId, idx, version });
        texts.push(text);
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
      textBytes += this.conn.checkSize(body, 'checkpoints', { thread: threadId, version });
      const row: CheckpointColumns = {
        thread: threadId,
        version,
        step: checkpoint.step,
        length: messages.length,
        finished: checkpoint.result === undefined ? 0 : 1,
        at: this.conn.now(),
        body,
        bytes: rowBytes(threadId, textBytes, 6),
        first,
        keptFrom,
        messages: joinMessages(texts),
      };
      const { step, length, finished, at, bytes } = row;
      const { sum, messagesSum } = checkpointSums(row);
      this.conn
        .statement(INSERT_CHECKPOINT)
        .run(
          threadId,
          version,
          step,
          length,
          finished,
          at,
          body,
          bytes,
          first,
          keptFrom,
          row.messages,
          sum,
          messagesSum,
        );
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

  #checkpoint(row: HeadRow): Checkpoint {
    const sources = messageSources(this.conn, row, 0, row.length);
    const messages = Object.freeze(decodeMessages(sources, row.thread));
    return Object.freeze(checkpointRecord(checkpointFields(row), messages));
  }

  /**
   * How many of the head's messages the commit keeps, and the version whose row holds the last
   * of them: what its writer says is unchanged, within both lengths, if the last of them is, in
   * JSON, the copy the store holds there. Only that one message before the kept ones is read,
   * from the writer and from the file (from the head row itself when the head wrote it, as it
   * does when its writer appends).
   */
  #kept(head: CommitHead, messages: readonly Message[], options: CommitOptions): Kept {
    const said = options.unchangedBefore ?? 0;
    if (!Number.isInteger(said) || said <= 0) return NOTHING_KEPT;
    const keep = Math.min(said, head.length, messages.length);
    if (keep === 0) return NOTHING_KEPT;
    const [held] = messageSources(this.conn, head, keep - 1, keep);
    const text = encodeStoreJson(messages[keep - 1], `message ${keep - 1}`);
    return held !== undefined && text === held.text ? { keep, from: held.version } : NOTHING_KEPT;
  }
}

interface Kept {
  readonly keep: number;
  readonly from: number;
}

const NOTHING_KEPT: Kept = { keep: 0, from: 0 };
