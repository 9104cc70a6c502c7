import { invalidOption } from './internal/check.js';

/** One request held at a degradation ladder's queue level, as its store keeps it. */
export interface QueuedRequest<R = unknown> {
  /** Unique across restarts of the node: the ladder's ids are not reused by the next ladder. */
  readonly id: string;
  readonly request: R;
  /** Node-clock time it was queued. */
  readonly at: number;
  /** Replays tried so far (each failed one is written back, so a restart does not reset it). */
  readonly replays: number;
}

/**
 * Where a degradation ladder's queue level keeps the requests it accepted, so that a restart of
 * the node does not lose them: the next ladder on the same store restores and replays them, in
 * order. `list` returns them oldest first (the order of their first `put`); `put` of a known id
 * replaces it in place. In memory by default; implement it over a file, SQLite or PostgreSQL to
 * keep the queue across restarts. Methods may be async.
 */
export interface QueueStore<R = unknown> {
  put(item: QueuedRequest<R>): Promise<void> | void;
  delete(id: string): Promise<boolean> | boolean;
  list(): Promise<readonly QueuedRequest<R>[]> | readonly QueuedRequest<R>[];
  size(): Promise<number> | number;
}

const STORE_METHODS = ['put', 'delete', 'list', 'size'] as const;

/** A user's store has every method above, or the ladder refuses it at once (not on first use). */
export function checkQueueStore<R>(store: QueueStore<R>): QueueStore<R> {
  const s = store as unknown as Record<string, unknown> | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    STORE_METHODS.some((m) => typeof s[m] !== 'function')
  ) {
    throw invalidOption('store', store, 'a QueueStore (put, delete, list, size)');
  }
  return store;
}

/**
 * A store in a Map, which keeps insertion order (oldest first); `put` of a known id keeps its
 * place. It outlives a ladder, not the process: what tests use to restart a ladder on the same
 * queue, and the reference the durable stores are measured against.
 */
export class MemoryQueueStore<R = unknown> implements QueueStore<R> {
  readonly #items = new Map<string, QueuedRequest<R>>();

  put(item: QueuedRequest<R>): void {
    this.#items.set(item.id, item);
  }

  delete(id: string): boolean {
    return this.#items.delete(id);
  }

  list(): QueuedRequest<R>[] {
    return [...this.#items.values()];
  }

  size(): number {
    return this.#items.size;
  }
}
