import type { AgentStore, PruneReport, Retention, StorageUsage } from '@warden/agents';
import type { DeadLetterStore, QueueStore } from '@warden/resilience';
import type { Connection } from './internal/connection.js';
import { SqliteApprovalStore } from './sqlite-approval-store.js';
import { SqliteAuditLog } from './sqlite-audit-log.js';
import { SqliteCheckpointStore } from './sqlite-checkpoint-store.js';
import { SqliteDeadLetterStore } from './sqlite-dead-letter-store.js';
import { SqliteEffectJournal } from './sqlite-effect-journal.js';
import { SqliteLeaseStore } from './sqlite-lease-store.js';
import { SqliteMemoryStore } from './sqlite-memory-store.js';
import { SqliteQueueStore } from './sqlite-queue-store.js';
import { pruneThread, threadUsage } from './sqlite-retention.js';

/**
 * Everything an agent system keeps durable, in one SQLite file (`openSqliteStore`). Every part
 * shares one connection; several processes may open the same file (WAL mode), and every write
 * that reads first takes the file's write lock before reading.
 */
export class SqliteAgentStore implements AgentStore {
  readonly checkpoints: SqliteCheckpointStore;
  readonly journal: SqliteEffectJournal;
  readonly approvals: SqliteApprovalStore;
  readonly audit: SqliteAuditLog;
  readonly memory: SqliteMemoryStore;
  readonly leases: SqliteLeaseStore;
  readonly #conn: Connection;

  constructor(
    conn: Connection,
    /** The file it was opened on, or `:memory:`. */
    readonly path: string,
  ) {
    this.#conn = conn;
    this.checkpoints = new SqliteCheckpointStore(conn);
    this.journal = new SqliteEffectJournal(conn);
    this.approvals = new SqliteApprovalStore(conn);
    this.audit = new SqliteAuditLog(conn);
    this.memory = new SqliteMemoryStore(conn);
    this.leases = new SqliteLeaseStore(conn);
  }

  deadLetters<I = unknown>(queue: string): DeadLetterStore<I> {
    return new SqliteDeadLetterStore<I>(this.#conn, queue);
  }

  queue<R = unknown>(name: string): QueueStore<R> {
    return new SqliteQueueStore<R>(this.#conn, name);
  }

  async prune(threadId: string, retention: Retention): Promise<PruneReport> {
    return pruneThread(this.#conn, threadId, retention);
  }

  async usage(threadId: string): Promise<StorageUsage> {
    return threadUsage(this.#conn, threadId);
  }

  async close(): Promise<void> {
    this.#conn.close();
  }
}
