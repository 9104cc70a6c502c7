import type {
  AgentStore,
  ApprovalStore,
  AuditLog,
  CheckpointStore,
  EffectJournal,
  LeaseStore,
  MemoryStore,
  PruneReport,
  QueueStore,
  Retention,
  StorageUsage,
} from '@warden/agents';
import type { DeadLetterStore } from '@warden/resilience';
import type { Database } from './internal/database.js';
import { PostgresApprovalStore } from './internal/postgres-approval-store.js';
import { PostgresAuditLog } from './internal/postgres-audit-log.js';
import { PostgresCheckpointStore } from './internal/postgres-checkpoint-store.js';
import { PostgresDeadLetterStore } from './internal/postgres-dead-letter-store.js';
import { PostgresEffectJournal } from './internal/postgres-effect-journal.js';
import { PostgresLeaseStore } from './internal/postgres-lease-store.js';
import { PostgresMemoryStore } from './internal/postgres-memory-store.js';
import { PostgresQueueStore } from './internal/postgres-queue-store.js';
import { prune, usage } from './internal/retention.js';
import { keyText } from './internal/row-key.js';

/**
 * An `AgentStore` in one PostgreSQL schema, for a cluster: every node that opens the same schema
 * shares checkpoints, journal, approvals, one audit chain, memory, dead letters, queues and
 * leases, and the database arbitrates every race between them (compare-and-set on a run's head,
 * on a journal entry's version, on a nonce; a fencing token on a lease). Made by
 * `openPostgresStore`, which migrates the schema first.
 */
export class PostgresAgentStore implements AgentStore {
  readonly checkpoints: CheckpointStore;
  readonly journal: EffectJournal;
  readonly approvals: ApprovalStore;
  readonly audit: AuditLog;
  readonly memory: MemoryStore;
  readonly leases: LeaseStore;
  /** The schema's name, as given. */
  readonly schema: string;
  readonly #db: Database;

  /** @internal Use `openPostgresStore`. */
  constructor(db: Database, clock: { now(): number }) {
    this.#db = db;
    this.schema = db.schemaName;
    this.checkpoints = new PostgresCheckpointStore(db, clock);
    this.journal = new PostgresEffectJournal(db);
    this.approvals = new PostgresApprovalStore(db);
    this.audit = new PostgresAuditLog(db);
    this.memory = new PostgresMemoryStore(db);
    this.leases = new PostgresLeaseStore(db);
  }

  deadLetters<I = unknown>(queue: string): DeadLetterStore<I> {
    keyText('queue', queue);
    return new PostgresDeadLetterStore<I>(this.#db, queue);
  }

  queue<R = unknown>(name: string): QueueStore<R> {
    keyText('name', name);
    return new PostgresQueueStore<R>(this.#db, name);
  }

  prune(threadId: string, retention: Retention): Promise<PruneReport> {
    return prune(this.#db, threadId, retention);
  }

  usage(threadId: string): Promise<StorageUsage> {
    return usage(this.#db, threadId);
  }

  close(): Promise<void> {
    return this.#db.close();
  }
}
