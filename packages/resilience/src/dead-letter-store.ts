import { invalidOption } from './internal/check.js';

/** One line of an entry's recovery ledger: what happened to it, when, and why. */
export interface LedgerRecord {
  readonly time: number;
  readonly action: 'recorded' | 'replay_failed';
  readonly reason: string;
}

/**
 * Work that failed after its retries: what it was (`input`), why it failed (`reason`, `code`),
 * how hard we tried (`attempts`, `replays`) and the trace it belongs to.
 */
export interface DeadLetterEntry<I = unknown> {
  readonly id: string;
  readonly traceId: string;
  readonly input: I;
  readonly reason: string;
  /** The error's `code`, when it had one (`ERR_RETRIES_EXHAUSTED`, `ECONNRESET`, ...). */
  readonly code: string | undefined;
  /** Attempts made before the entry was recorded, plus one per failed replay. */
  readonly attempts: number;
  readonly replays: number;
  readonly recordedAt: number;
  readonly history: readonly LedgerRecord[];
}

/**
 * Where dead letters live. In memory by default; implement it over a file, SQLite or Redis to
 * keep them across restarts. `list` returns entries oldest first. Methods may be async.
 */
export interface DeadLetterStore<I = unknown> {
  put(entry: DeadLetterEntry<I>): Promise<void> | void;
  get(id: string): Promise<DeadLetterEntry<I> | undefined> | DeadLetterEntry<I> | undefined;
  delete(id: string): Promise<boolean> | boolean;
  list(): Promise<DeadLetterEntry<I>[]> | DeadLetterEntry<I>[];
  size(): Promise<number> | number;
}

const STORE_METHODS = ['put', 'get', 'delete', 'list', 'size'] as const;

/** A user's store has every method above, or the queue refuses it at once (not on first use). */
export function checkStore<I>(store: DeadLetterStore<I>): DeadLetterStore<I> {
  const s = store as unknown as Record<string, unknown> | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    STORE_METHODS.some((m) => typeof s[m] !== 'function')
  ) {
    throw invalidOption('store', store, 'a DeadLetterStore (put, get, delete, list, size)');
  }
  return store;
}

/** The default store: a Map, which keeps insertion order (oldest first); `put` of a known id keeps its place. */
export class MemoryDeadLetterStore<I = unknown> implements DeadLetterStore<I> {
  readonly #entries = new Map<string, DeadLetterEntry<I>>();

  put(entry: DeadLetterEntry<I>): void {
    this.#entries.set(entry.id, entry);
  }

  get(id: string): DeadLetterEntry<I> | undefined {
    return this.#entries.get(id);
  }

  delete(id: string): boolean {
    return this.#entries.delete(id);
  }

  list(): DeadLetterEntry<I>[] {
    return [...this.#entries.values()];
  }

  size(): number {
    return this.#entries.size;
  }
}
