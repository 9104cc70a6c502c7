import {
  type Checkpoint,
  type CheckpointStore,
  type CommitOptions,
  checkpointRecord,
  type Message,
  StaleHeadError,
  StoreError,
} from '@warden/agents';
import { checks } from '../postgres-store-options.js';
import { commitStatement } from './commit-statement.js';
import type { Database } from './database.js';
import { corrupt, decodeRow, type EncodedRow, encodeRow } from './row-codec.js';
import { keyText, lookupText } from './row-key.js';

/**
 * A commit that lost no race but kept more than the head holds is tried again keeping what the
 * head holds, then keeping nothing: the claim is checked in the commit itself, never trusted.
 */
const ATTEMPTS = 3;

interface HeadRow {
  readonly idx: number;
  readonly version: number;
  readonly length: number;
  readonly body: string | null;
  readonly checksum: string | null;
  readonly missing: boolean;
}

/** The row keys checksums cover: the table and the key columns, unambiguously. */
export const checkpointKey = (threadId: string, version: number): string =>
  JSON.stringify(['checkpoints', threadId, version]);
export const messageKey = (threadId: string, idx: number, version: number): string =>
  JSON.stringify(['messages', threadId, idx, version]);

/**
 * Checkpoints in PostgreSQL: one row per step and one row per message added, so a step costs
 * what it added, not the whole context (when its writer says what is unchanged). A commit is one
 * statement, compare-and-set on the run's head (see `commitStatement`): of two nodes committing
 * the same version of one run, exactly one wins, and the other writes nothing. `latest` reads
 * the head and its messages in one statement (one snapshot) and checks every row's checksum.
 */
export class PostgresCheckpointStore implements CheckpointStore {
  readonly #db: Database;
  readonly #clock: { now(): number };

  constructor(db: Database, clock: { now(): number }) {
    this.#db = db;
    this.#clock = clock;
  }

  async commit(checkpoint: Checkpoint, options: CommitOptions): Promise<void> {
    checks.record('checkpoint', checkpoint);
    const { threadId, version, messages } = checkpoint;
    const thread = keyText('checkpoint.threadId', threadId);
    const expected = checks.int('expectedHead', options?.expectedHead, 0);
    if (version !== expected + 1) {
      throw new RangeError(`checkpoint version ${version} does not follow head ${expected}`);
    }
    if (!Array.isArray(messages)) throw checks.invalid('checkpoint.messages', messages, 'an array');
    const fence = options.fence;
    if (fence !== undefined) {
      keyText('fence.key', fence.key);
      checks.int('fence.token', fence.token, 1);
    }
    const { messages: _, threadId: __, version: ___, ...fields } = checkpointRecord(checkpoint, []);
    const max = this.#db.maxRecordBytes;
    const head = encodeRow(checkpointKey(threadId, version), fields, max);
    const said = options.unchangedBefore ?? 0;
    let keep =
      expected > 0 && Number.isInteger(said) && said > 0 ? Math.min(said, messages.length) : 0;
    for (let attempt = 1; ; attempt++) {
      const added = encodeMessages(threadId, version, messages, keep, max);
      const values: unknown[] = [
        thread,
        expected,
        version,
        messages.length,
        checkpoint.result !== undefined,
        this.#clock.now(),
        checkpoint.step,
        head.body,
        head.checksum,
        added.map((_, i) => keep + i),
        added.map((row) => row.body),
        added.map((row) => row.checksum),
      ];
      if (fence !== undefined) values.push(keyText('fence.key', fence.key), fence.token);
      const keeps = keep > 0;
      if (keeps) values.push(keep, JSON.stringify(messages[keep - 1]));
      const text = commitStatement(this.#db.schema, {
        first: expected === 0,
        fenced: fence !== undefined,
        keeps,
      });
      const { rows } = await this.#db.run<{ moved: number }>(text, values);
      if (rows[0]?.moved === 1) return;
      const why = await this.#refusal(thread, threadId, expected, fence);
      if (why instanceof Error) throw why;
      if (attempt >= ATTEMPTS) throw new StaleHeadError(threadId, expected, expected);
      // The head is as expected: it holds fewer messages than the writer said were unchanged
      // (keep what it holds), or the last kept one is not the writer's (keep nothing).
      keep = keep > why.length ? why.length : 0;
    }
  }

  async latest(threadId: string): Promise<Checkpoint | undefined> {
    const thread = lookupText(threadId);
    if (thread === undefined) return undefined;
    const s = this.#db.schema;
    const { rows } = await this.#db.run<HeadRow>(
      `WITH h AS (
         SELECT t.head, t.length, c.body, c.checksum, c.version IS NULL AS missing
         FROM ${s}.threads t
         LEFT JOIN ${s}.checkpoints c ON c.thread_id = t.thread_id AND c.version = t.head
         WHERE t.thread_id = $1
       )
       SELECT -1 AS idx, head AS version, length, body, checksum, missing FROM h
       UNION ALL
       (SELECT DISTINCT ON (m.idx) m.idx, m.version, 0, m.body, m.checksum, false
        FROM ${s}.messages m, h
        WHERE m.thread_id = $1 AND m.idx < h.length AND m.version <= h.head
        ORDER BY m.idx, m.version DESC)`,
      [thread],
    );
    const top = rows.find((row) => row.idx === -1);
    if (top === undefined) return undefined;
    const version = top.version;
    const key = checkpointKey(threadId, version);
    if (top.missing) throw corrupt(key, 'the head names a checkpoint that is not there');
    const fields = decodeRow(key, top.body, top.checksum);
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
      throw corrupt(key, 'it does not hold a checkpoint');
    }
    const messages: Message[] = [];
    const found = rows.filter((row) => row.idx >= 0).sort((a, b) => a.idx - b.idx);
    for (const row of found) {
      const at = messageKey(threadId, row.idx, row.version);
      if (row.idx !== messages.length) throw corrupt(at, `message ${messages.length} is missing`);
      messages.push(decodeRow(at, row.body, row.checksum) as Message);
    }
    if (messages.length !== top.length) {
      throw corrupt(key, `message ${messages.length} of ${top.length} is missing`);
    }
    return Object.freeze(
      checkpointRecord(
        { ...(fields as Omit<Checkpoint, 'threadId' | 'version' | 'messages'>), threadId, version },
        Object.freeze(messages),
      ),
    );
  }

  /**
   * Why a commit moved nothing: a takeover, another writer, or neither (then the head's length,
   * to try again with).
   */
  async #refusal(
    thread: string,
    threadId: string,
    expected: number,
    fence: CommitOptions['fence'],
  ): Promise<Error | { readonly length: number }> {
    const s = this.#db.schema;
    const { rows } = await this.#db.run<{
      head: number | null;
      length: number | null;
      token: string | null;
    }>(
      `SELECT t.head, t.length,
              (SELECT token FROM ${s}.leases WHERE key = $2 AND owner IS NOT NULL) AS token
       FROM (SELECT 1) AS one LEFT JOIN ${s}.threads t ON t.thread_id = $1`,
      [thread, fence === undefined ? null : keyText('fence.key', fence.key)],
    );
    const head = rows[0]?.head ?? 0;
    const token =
      rows[0]?.token === null || rows[0] === undefined ? undefined : Number(rows[0].token);
    if (fence !== undefined && token !== fence.token) {
      return new StoreError(
        'ERR_FENCED',
        `commit to ${threadId} refused: the lease ${fence.key} is no longer held under token ${fence.token}`,
        { detail: { threadId, key: fence.key, token: fence.token, current: token ?? null } },
      );
    }
    if (head !== expected) return new StaleHeadError(threadId, expected, head);
    return { length: rows[0]?.length ?? 0 };
  }
}

function encodeMessages(
  threadId: string,
  version: number,
  messages: readonly Message[],
  from: number,
  max: number,
): EncodedRow[] {
  const rows: EncodedRow[] = [];
  for (let idx = from; idx < messages.length; idx++) {
    rows.push(encodeRow(messageKey(threadId, idx, version), messages[idx], max));
  }
  return rows;
}
