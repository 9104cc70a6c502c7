import {
  type DeadLetterEntry,
  type DeadLetterStore,
  MemoryDeadLetterStore,
  MemoryQueueStore,
  type QueuedRequest,
  type QueueStore,
} from '@warden/resilience';
import type { Approval } from '../governance/approval.js';
import { type ApprovalStore, MemoryApprovalStore } from '../governance/approval-store.js';
import {
  type AuditEntry,
  type AuditLog,
  type AuditRecord,
  MemoryAuditLog,
} from '../governance/audit-log.js';
import { deepFreeze } from './frozen-copy.js';
import type { Acquired, KeyLease, LeaseStore } from './lease-store.js';
import type { MemoryLeaseStore } from './memory-lease-store.js';
import { type MemoryEntry, MemoryMemoryStore, type MemoryStore } from './memory-store.js';
import type { StoreGate } from './store-gate.js';
import { storeJsonCopy } from './store-json.js';
import {
  approvalRecord,
  deadLetterRecord,
  memoryEntryRecord,
  queuedRequestRecord,
} from './store-records.js';

// The bundle's other parts: each an existing memory store behind the bundle's gate (closed: every
// call refused), fed frozen JSON copies so that it gives back what a durable store would.

function frozenRecord<T>(value: T, shape: (value: T) => T, what: string): T {
  return deepFreeze(shape(storeJsonCopy(value, what)));
}

export class MemoryAgentApprovals implements ApprovalStore {
  readonly #inner = new MemoryApprovalStore();

  constructor(private readonly gate: StoreGate) {}

  async issue(approval: Approval): Promise<void> {
    this.gate.check();
    await this.#inner.issue(frozenRecord(approval, approvalRecord, 'approval'));
  }

  async get(nonce: string): Promise<Approval | undefined> {
    this.gate.check();
    return this.#inner.get(nonce);
  }

  async consume(nonce: string): Promise<boolean> {
    this.gate.check();
    return this.#inner.consume(nonce);
  }

  async standing(bindingKey: string): Promise<readonly Approval[]> {
    this.gate.check();
    return this.#inner.standing(bindingKey);
  }
}

export class MemoryAgentAudit implements AuditLog {
  readonly #inner = new MemoryAuditLog();

  constructor(private readonly gate: StoreGate) {}

  async append(record: AuditRecord, at: number): Promise<AuditEntry> {
    this.gate.check();
    return this.#inner.appendNow(record, at);
  }

  async entries(): Promise<readonly AuditEntry[]> {
    this.gate.check();
    return this.#inner.entries();
  }
}

/** Memory per thread, so that a thread removed by pruning takes its memory with it. */
export class MemoryAgentMemory implements MemoryStore {
  readonly #threads = new Map<string, MemoryMemoryStore>();

  constructor(private readonly gate: StoreGate) {}

  async put(entries: readonly MemoryEntry[]): Promise<void> {
    this.gate.check();
    const copies = entries.map((e) => frozenRecord(e, memoryEntryRecord, 'memory entry'));
    for (const entry of copies) {
      let store = this.#threads.get(entry.threadId);
      if (store === undefined) this.#threads.set(entry.threadId, (store = new MemoryMemoryStore()));
      await store.put([entry]);
    }
  }

  async search(threadId: string, query: string, limit: number): Promise<readonly MemoryEntry[]> {
    this.gate.check();
    return (await this.#threads.get(threadId)?.search(threadId, query, limit)) ?? [];
  }

  forget(threadId: string): void {
    this.#threads.delete(threadId);
  }
}

export class MemoryAgentLeases implements LeaseStore {
  constructor(
    private readonly gate: StoreGate,
    private readonly inner: MemoryLeaseStore,
  ) {}

  async acquire(
    key: string,
    owner: string,
    ttlMs: number,
    now: number,
    data?: unknown,
  ): Promise<Acquired> {
    this.gate.check();
    return this.inner.acquire(key, owner, ttlMs, now, data);
  }

  async renew(lease: KeyLease, ttlMs: number, now: number): Promise<KeyLease> {
    this.gate.check();
    return this.inner.renew(lease, ttlMs, now);
  }

  async release(lease: KeyLease): Promise<boolean> {
    this.gate.check();
    return this.inner.release(lease);
  }

  async current(key: string): Promise<KeyLease | undefined> {
    this.gate.check();
    return this.inner.current(key);
  }
}

export class MemoryAgentDeadLetters<I> implements DeadLetterStore<I> {
  readonly #inner = new MemoryDeadLetterStore<I>();

  constructor(private readonly gate: StoreGate) {}

  async put(entry: DeadLetterEntry<I>): Promise<void> {
    this.gate.check();
    this.#inner.put(frozenRecord(entry, deadLetterRecord, 'dead letter'));
  }

  async get(id: string): Promise<DeadLetterEntry<I> | undefined> {
    this.gate.check();
    return this.#inner.get(id);
  }

  async delete(id: string): Promise<boolean> {
    this.gate.check();
    return this.#inner.delete(id);
  }

  async list(): Promise<DeadLetterEntry<I>[]> {
    this.gate.check();
    return this.#inner.list();
  }

  async size(): Promise<number> {
    this.gate.check();
    return this.#inner.size();
  }
}

export class MemoryAgentQueue<R> implements QueueStore<R> {
  readonly #inner = new MemoryQueueStore<R>();

  constructor(private readonly gate: StoreGate) {}

  async put(item: QueuedRequest<R>): Promise<void> {
    this.gate.check();
    this.#inner.put(frozenRecord(item, queuedRequestRecord, 'queued request'));
  }

  async delete(id: string): Promise<boolean> {
    this.gate.check();
    return this.#inner.delete(id);
  }

  async list(): Promise<readonly QueuedRequest<R>[]> {
    this.gate.check();
    return this.#inner.list();
  }

  async size(): Promise<number> {
    this.gate.check();
    return this.#inner.size();
  }
}
