import type { DeadLetterStore } from '@warden/resilience';
import type { ApprovalStore } from '../governance/approval-store.js';
import type { AuditLog } from '../governance/audit-log.js';
import type { EffectJournal } from '../governance/effect-journal.js';
import type { CheckpointStore } from './checkpoint-store.js';
import type { LeaseStore } from './lease-store.js';
import type { MemoryStore } from './memory-store.js';
import type { QueueStore } from './queue-store.js';

/**
 * How much of a thread's history a store keeps. A resume needs only the head checkpoint and the
 * journal entries of calls that are not finished or belong to a kept checkpoint: pruning never
 * removes those, whatever the figures say.
 */
export interface Retention {
  /** Checkpoints kept per thread, newest first; at least 1 (the head). */
  readonly keepLast: number;
  /**
   * A finished thread whose head is older than this (node-clock milliseconds before `now`) is
   * removed whole: checkpoints, messages, journal entries and memory. Unfinished threads are
   * never removed by age.
   */
  readonly finishedOlderThanMs?: number;
  /** The node-clock time the age is measured from. */
  readonly now: number;
}

/** What one `prune` removed. */
export interface PruneReport {
  readonly checkpoints: number;
  readonly messages: number;
  readonly journalEntries: number;
  readonly threads: number;
}

/** The bytes a thread occupies, as the store encodes it, so a run's growth can be watched. */
export interface StorageUsage {
  readonly threadId: string;
  /** Checkpoints stored now (after pruning). */
  readonly checkpoints: number;
  /** Bytes of checkpoint rows and message rows together. */
  readonly bytes: number;
  /** `bytes` divided by the head's step (0 before the first step). */
  readonly bytesPerStep: number;
}

/**
 * Everything an agent system keeps durable, behind one object: checkpoints (one per step, as
 * deltas), the effect journal, approvals and their used nonces, the hash-chained audit log,
 * compacted-away memory, dead letters, requests held by a degradation ladder's queue level, and
 * leases for cluster-wide spawn-once. `MemoryAgentStore` keeps them in memory; the SQLite and
 * PostgreSQL stores (their own packages) keep them in a database, and all three pass the same
 * conformance suite (`@warden/agents/conformance`).
 */
export interface AgentStore {
  readonly checkpoints: CheckpointStore;
  readonly journal: EffectJournal;
  readonly approvals: ApprovalStore;
  readonly audit: AuditLog;
  readonly memory: MemoryStore;
  readonly leases: LeaseStore;
  /** The dead letters of one named queue (a `DeadLetterQueue`'s `store`). */
  deadLetters<I = unknown>(queue: string): DeadLetterStore<I>;
  /** The held requests of one named ladder queue level. */
  queue<R = unknown>(name: string): QueueStore<R>;
  /** Removes history beyond the retention, keeping what a resume needs. */
  prune(threadId: string, retention: Retention): Promise<PruneReport>;
  usage(threadId: string): Promise<StorageUsage>;
  /** Ends the store's connections; later calls fail with `ERR_STORE_CLOSED`. Idempotent. */
  close(): Promise<void>;
}
