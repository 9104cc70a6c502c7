import type { DeadLetterStore, QueueStore } from '@warden/resilience';
import type { AgentStore, PruneReport, Retention, StorageUsage } from './agent-store.js';
import { MemoryAgentCheckpoints } from './memory-agent-checkpoints.js';
import { MemoryAgentJournal } from './memory-agent-journal.js';
import {
  MemoryAgentApprovals,
  MemoryAgentAudit,
  MemoryAgentDeadLetters,
  MemoryAgentLeases,
  MemoryAgentMemory,
  MemoryAgentQueue,
} from './memory-agent-parts.js';
import { MemoryLeaseStore } from './memory-lease-store.js';
import { checkRetention, isExpiredThread, isPrunableEffect } from './retention-rules.js';
import { StoreError } from './store-error.js';
import { StoreGate } from './store-gate.js';

export interface MemoryAgentStoreOptions {
  /**
   * Stamps each commit, for `Retention.finishedOlderThanMs`; pass the node's clock and read
   * `Retention.now` from it. Default `Date.now`.
   */
  readonly clock?: { now(): number };
}

/**
 * Every part of an `AgentStore` in memory: what an agent system keeps when it runs without a
 * database. It outlives agents and their restarts, not the process. Values are stored as JSON
 * copies, frozen, so it gives back exactly what the SQLite and PostgreSQL stores give back, and
 * it passes the same conformance suite. It keeps only each thread's head checkpoint (`keepLast`
 * has nothing more to remove), so its usage is what the head holds.
 */
export class MemoryAgentStore implements AgentStore {
  readonly checkpoints: MemoryAgentCheckpoints;
  readonly journal: MemoryAgentJournal;
  readonly approvals: MemoryAgentApprovals;
  readonly audit: MemoryAgentAudit;
  readonly memory: MemoryAgentMemory;
  readonly leases: MemoryAgentLeases;
  readonly #gate = new StoreGate();
  readonly #deadLetters = new Map<string, MemoryAgentDeadLetters<unknown>>();
  readonly #queues = new Map<string, MemoryAgentQueue<unknown>>();

  constructor(options: MemoryAgentStoreOptions = {}) {
    const clock = options.clock;
    if (clock !== undefined && typeof clock?.now !== 'function') {
      throw new StoreError('ERR_INVALID_OPTION', 'clock must have a now() method', {
        field: 'clock',
      });
    }
    const gate = this.#gate;
    const leases = new MemoryLeaseStore();
    const now = clock === undefined ? Date.now : () => clock.now();
    this.checkpoints = new MemoryAgentCheckpoints(gate, leases, now);
    this.journal = new MemoryAgentJournal(gate, (t) => this.checkpoints.head(t)?.step ?? 0);
    this.approvals = new MemoryAgentApprovals(gate);
    this.audit = new MemoryAgentAudit(gate);
    this.memory = new MemoryAgentMemory(gate);
    this.leases = new MemoryAgentLeases(gate, leases);
  }

  deadLetters<I = unknown>(queue: string): DeadLetterStore<I> {
    this.#gate.check();
    let store = this.#deadLetters.get(queue);
    if (store === undefined) {
      this.#deadLetters.set(queue, (store = new MemoryAgentDeadLetters(this.#gate)));
    }
    return store as DeadLetterStore<I>;
  }

  queue<R = unknown>(name: string): QueueStore<R> {
    this.#gate.check();
    let store = this.#queues.get(name);
    if (store === undefined) this.#queues.set(name, (store = new MemoryAgentQueue(this.#gate)));
    return store as QueueStore<R>;
  }

  async prune(threadId: string, retention: Retention): Promise<PruneReport> {
    this.#gate.check();
    checkRetention(retention);
    const head = this.checkpoints.head(threadId);
    if (head === undefined) return { checkpoints: 0, messages: 0, journalEntries: 0, threads: 0 };
    if (isExpiredThread(head.finished, head.at, retention)) {
      this.checkpoints.forget(threadId);
      this.memory.forget(threadId);
      const journalEntries = this.journal.remove(threadId, () => true);
      return { checkpoints: 1, messages: head.sizes.length, journalEntries, threads: 1 };
    }
    const journalEntries = this.journal.remove(threadId, (entry, begunStep) =>
      isPrunableEffect(entry.state, begunStep, head.step),
    );
    return { checkpoints: 0, messages: 0, journalEntries, threads: 0 };
  }

  async usage(threadId: string): Promise<StorageUsage> {
    this.#gate.check();
    const head = this.checkpoints.head(threadId);
    if (head === undefined) return { threadId, checkpoints: 0, bytes: 0, bytesPerStep: 0 };
    const bytes = head.fieldBytes + head.messageBytes;
    return { threadId, checkpoints: 1, bytes, bytesPerStep: head.step > 0 ? bytes / head.step : 0 };
  }

  async close(): Promise<void> {
    this.#gate.close();
  }
}
