import { decodeStoreJson, type Message } from '@warden/agents';
import {
  CARRIERS_FROM,
  type CarrierColumns,
  type CarrierRow,
  verifyCarrierRow,
} from './checkpoint-rows.js';
import type { Connection } from './connection.js';
import { corruptRow, verifyRow } from './row-checksum.js';

/** For each index in [?, ?), the newest row of `messages` written at or before a version. */
const STORED = `SELECT idx, max(version) AS version, body, bytes, sum FROM messages
  WHERE thread = ? AND idx >= ? AND idx < ? AND version <= ? GROUP BY idx ORDER BY idx`;

/** Rows read per statement while walking back. */
const MIN_BATCH = 8;
const MAX_BATCH = 256;

/** Where one message of a checkpoint is kept, and its JSON. */
export interface MessageSource {
  readonly idx: number;
  /** The version that wrote it. */
  readonly version: number;
  readonly text: string;
  /** In that version's checkpoint row (true), or in its own row of `messages` (false). */
  readonly inline: boolean;
}

interface StoredRow {
  idx: number;
  version: number;
  body: string;
  bytes: number;
  sum: string;
}

/**
 * The messages `lo` to `hi - 1` of the checkpoint `row` holds (already checked), each as the
 * newest copy written at or before it. Each row holds the messages from its `first` on and
 * names the row that holds the one before (`keptFrom`); the walk goes from `row` along these,
 * checking each row it takes messages from, for as long as some are missing. (Rows written
 * before rows named it are walked one version at a time.) What no row holds (rows removed by
 * pruning, or written before rows held messages) is in `messages`. A row the walk needs that is
 * missing while older ones are there, or a message missing anywhere, is `ERR_STORE_CORRUPT`.
 */
export function messageSources(
  conn: Connection,
  row: CarrierColumns,
  lo: number,
  hi: number,
): MessageSource[] {
  const found: MessageSource[] = new Array(hi - lo);
  let missing = hi;
  // The version the walk needs next; every copy of a missing message is at or before it.
  let next = row.version;
  let carries = row.first !== null;
  if (carries) {
    missing = take(row, lo, missing, found);
    next = following(row);
  }
  while (carries && missing > lo) {
    // A row usually writes at least one message: about as many rows as messages are missing.
    const batch = Math.min(Math.max(missing - lo, MIN_BATCH), MAX_BATCH);
    const rows = conn.statement(CARRIERS_FROM).all(row.thread, next, batch) as CarrierRow[];
    for (const before of rows) {
      if (before.version > next) continue;
      if (before.version < next) {
        throw corruptRow('checkpoints', { thread: row.thread, version: next }, 'is missing');
      }
      verifyCarrierRow(conn, before);
      carries = before.first !== null;
      if (!carries) break;
      missing = take(before, lo, missing, found);
      next = following(before);
      if (missing <= lo) break;
    }
    // A short batch is every row from `next` down: no row holds what is still missing.
    if (rows.length < batch) break;
  }
  if (missing > lo) stored(conn, row.thread, lo, missing, next, found);
  return found;
}

/** The messages of checkpoint `row`, parsed. */
export function decodeMessages(sources: readonly MessageSource[], thread: string): Message[] {
  return sources.map(({ idx, version, text, inline }) =>
    inline
      ? (decodeStoreJson(text, 'checkpoints', { thread, version }) as Message)
      : (decodeStoreJson(text, 'messages', { thread, idx, version }) as Message),
  );
}

/** The JSON of messages, as a row carries them. */
export function joinMessages(texts: readonly string[]): string {
  return texts.join('\n');
}

/**
 * Fills in, from `row`, the indexes from `max(first, lo)` to `missing - 1`, and answers what is
 * still missing: the indexes below both `missing` and `first`.
 */
function take(row: CarrierColumns, lo: number, missing: number, found: MessageSource[]): number {
  const first = row.first as number;
  if (first >= missing) return missing;
  const texts = row.messages === '' || row.messages === null ? [] : row.messages.split('\n');
  if (texts.length !== row.length - first || missing > row.length) {
    throw corruptRow(
      'checkpoints',
      { thread: row.thread, version: row.version },
      'does not hold the messages it names',
    );
  }
  for (let idx = Math.max(first, lo); idx < missing; idx++) {
    found[idx - lo] = {
      idx,
      version: row.version,
      text: texts[idx - first] as string,
      inline: true,
    };
  }
  return Math.max(first, lo);
}

/** The version a walk needs after a row that carries messages. */
function following(row: CarrierColumns): number {
  return row.keptFrom ?? row.version - 1;
}

function stored(
  conn: Connection,
  thread: string,
  lo: number,
  hi: number,
  bound: number,
  found: MessageSource[],
): void {
  const rows = conn.statement(STORED).all(thread, lo, hi, bound) as StoredRow[];
  for (const [i, row] of rows.entries()) {
    const key = { thread, idx: row.idx, version: row.version };
    verifyRow('messages', key, row.sum, [thread, row.idx, row.version, row.body, row.bytes]);
    if (row.idx !== lo + i) {
      throw corruptRow('messages', { thread, idx: lo + i, version: bound }, 'is missing');
    }
    found[i] = { idx: row.idx, version: row.version, text: row.body, inline: false };
  }
  if (rows.length !== hi - lo) {
    throw corruptRow('messages', { thread, idx: lo + rows.length, version: bound }, 'is missing');
  }
}
