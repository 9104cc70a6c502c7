import {
  decodeStoreJson,
  encodeStoreJson,
  type MemoryEntry,
  MemoryMemoryStore,
  type MemoryStore,
  memoryEntryRecord,
} from '@warden/agents';
import type { Connection } from './internal/connection.js';
import { rowChecksum, verifyRow } from './internal/row-checksum.js';

const TABLE = 'memory';
const OF_THREAD = 'SELECT seq, thread, body, sum FROM memory WHERE thread = ? ORDER BY seq';
const NEXT_SEQ = 'SELECT coalesce(max(seq), 0) + 1 AS seq FROM memory';
const INSERT = 'INSERT INTO memory (seq, thread, body, sum) VALUES (?, ?, ?, ?)';

interface Row {
  seq: number;
  thread: string;
  body: string;
  sum: string;
}

/**
 * Compacted-away memory in SQLite, what the `recall` tool reads. A search ranks the thread's
 * entries with the in-memory store's own ranking (the same entries give the same answer on every
 * store); it reads all of the thread's entries, which compaction keeps to a few per offload.
 */
export class SqliteMemoryStore implements MemoryStore {
  constructor(private readonly conn: Connection) {}

  async put(entries: readonly MemoryEntry[]): Promise<void> {
    const records = entries.map((e) => memoryEntryRecord(e));
    const bodies = records.map((r) => encodeStoreJson(r, 'memory entry'));
    this.conn.write(() => {
      let { seq } = this.conn.statement(NEXT_SEQ).get() as { seq: number };
      for (const [i, body] of bodies.entries()) {
        const thread = (records[i] as MemoryEntry).threadId;
        this.conn.checkSize(body, TABLE, { seq });
        this.conn.statement(INSERT).run(seq, thread, body, rowChecksum(TABLE, [seq, thread, body]));
        seq++;
      }
    });
  }

  async search(threadId: string, query: string, limit: number): Promise<readonly MemoryEntry[]> {
    const entries = this.conn.read(() =>
      (this.conn.statement(OF_THREAD).all(threadId) as Row[]).map((row) => {
        const key = { seq: row.seq };
        verifyRow(TABLE, key, row.sum, [row.seq, row.thread, row.body]);
        return memoryEntryRecord(decodeStoreJson(row.body, TABLE, key) as MemoryEntry);
      }),
    );
    const ranking = new MemoryMemoryStore();
    await ranking.put(entries);
    return ranking.search(threadId, query, limit);
  }
}
