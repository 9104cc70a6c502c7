import { randomUUID } from 'node:crypto';
import type { Clock } from '@warden/core';
import { ResilienceError } from '../errors.js';
import { describeError, type Emitter } from '../events.js';
import type { QueuedRequest, QueueStore } from '../queue-store.js';
import type { Answer } from '../served.js';

/** A request waiting at the queue level. */
export interface Held<Req, Res> {
  /** The ladder's id for it in tickets and events (restored ones get a new one). */
  readonly id: number;
  /** Its id in the store (none without a store). */
  readonly key: string | undefined;
  readonly request: Req;
  readonly at: number;
  replays: number;
  /** Its caller; none for a restored request (that caller went with the node that queued it). */
  readonly caller:
    | { readonly resolve: (answer: Answer<Res>) => void; readonly reject: (e: unknown) => void }
    | undefined;
  /**
   * With a store: settles with undefined once the store holds it, or with what the store threw
   * (it is then out of the queue). Nothing replays it before. Undefined when nothing is pending.
   */
  stored: Promise<{ error: unknown } | undefined> | undefined;
}

/**
 * The requests a ladder's queue level holds, in order, and their copy in its store. Every store
 * operation goes through one chain, so an async store sees them in the order they were decided:
 * the store's order is the queue's. The store may hold more than the queue has loaded (a
 * restored backlog beyond capacity): `backlog` counts those, loaded when the queue is empty.
 */
export class LadderQueue<Req, Res> {
  readonly #items: Held<Req, Res>[] = [];
  readonly #store: QueueStore<Req> | undefined;
  readonly #capacity: number;
  readonly #clock: Clock;
  readonly #emitter: Emitter;
  /** Unique per ladder, so the keys of this ladder never meet those of an earlier one. */
  readonly #prefix: string;
  /** Keys of answered requests whose delete failed: tried again with the next delete. */
  readonly #undeleted = new Set<string>();
  #backlog = 0;
  #restoring: Promise<number> | undefined;
  #restored: boolean;
  #lock: Promise<unknown> = Promise.resolve();
  #nextId = 1;

  constructor(
    store: QueueStore<Req> | undefined,
    capacity: number,
    clock: Clock,
    emitter: Emitter,
  ) {
    this.#store = store;
    this.#capacity = capacity;
    this.#clock = clock;
    this.#emitter = emitter;
    this.#restored = store === undefined;
    this.#prefix = store === undefined ? '' : randomUUID();
  }

  /** Requests held: loaded, and left in the store to load. */
  get size(): number {
    return this.#items.length + this.#backlog;
  }

  get head(): Held<Req, Res> | undefined {
    return this.#items[0];
  }

  /** Why a new request cannot be queued now (undefined: it can). */
  refusal(): string | undefined {
    if (!this.#restored) return 'is not restored yet: call restore() before it accepts requests';
    if (this.#backlog > 0) return 'is still replaying its restored backlog';
    if (this.#items.length >= this.#capacity) return `is full (${this.#capacity})`;
    return undefined;
  }

  /** Takes a request; with a store, `stored` says when (and whether) the store holds it. */
  add(request: Req, caller: NonNullable<Held<Req, Res>['caller']>): Held<Req, Res> {
    const id = this.#nextId++;
    const store = this.#store;
    const held: Held<Req, Res> = {
      id,
      key: store === undefined ? undefined : `${this.#prefix}-${id}`,
      request,
      at: this.#clock.now(),
      replays: 0,
      caller,
      stored: undefined,
    };
    this.#items.push(held);
    if (store !== undefined) {
      held.stored = this.#serial(() => store.put(record(held))).then(
        () => {
          held.stored = undefined;
          return undefined;
        },
        (error: unknown) => {
          this.#remove(held);
          this.#failed('put', held.key, error);
          return { error };
        },
      );
    }
    return held;
  }

  /** Takes the head out once its replay settled; the store forgets it after (see `forget`). */
  shift(held: Held<Req, Res>): void {
    this.#remove(held);
  }

  /** Deletes an answered (or handed back) request from the store, after its answer was given. */
  forget(held: Held<Req, Res>): void {
    const store = this.#store;
    const key = held.key;
    if (store === undefined || key === undefined) return;
    void this.#serial(async () => {
      for (const earlier of [...this.#undeleted]) {
        if ((await attempt(() => store.delete(earlier))) === undefined)
          this.#undeleted.delete(earlier);
      }
      const failure = await attempt(() => store.delete(key));
      if (failure === undefined) return;
      this.#undeleted.add(key);
      this.#failed('delete', key, failure.error);
    });
  }

  /** Writes a failed replay's count back, so a restart does not give the request more. */
  counted(held: Held<Req, Res>): void {
    const store = this.#store;
    if (store === undefined) return;
    void this.#serial(() => store.put(record(held))).catch((error: unknown) =>
      this.#failed('put', held.key, error),
    );
  }

  /** Loads what the store holds, oldest first, up to capacity; once (later calls share it). */
  restore(): Promise<number> {
    const store = this.#store as QueueStore<Req>;
    this.#restoring ??= this.#list(store).then(
      (entries) => {
        const loaded = entries.slice(0, this.#capacity);
        for (const entry of loaded) this.#items.push(this.#restoredHeld(entry));
        this.#backlog = entries.length - loaded.length;
        this.#restored = true;
        this.#emitter.emit({
          type: 'degrade.restored',
          loaded: loaded.length,
          backlog: this.#backlog,
        });
        return entries.length;
      },
      (error: unknown) => {
        this.#restoring = undefined; // a later call tries again
        throw error;
      },
    );
    return this.#restoring;
  }

  /** Loads the next part of the backlog into an empty queue; false if the store failed. */
  async loadBacklog(): Promise<boolean> {
    const store = this.#store;
    if (store === undefined || this.#backlog === 0) return true;
    let entries: readonly QueuedRequest<Req>[];
    try {
      entries = await this.#list(store);
    } catch {
      return false; // announced; the next recovery tries again
    }
    const loaded = new Set(this.#items.map((held) => held.key));
    const waiting = entries.filter((e) => !loaded.has(e.id) && !this.#undeleted.has(e.id));
    const room = this.#capacity - this.#items.length;
    for (const entry of waiting.slice(0, room)) this.#items.push(this.#restoredHeld(entry));
    this.#backlog = Math.max(0, waiting.length - room);
    return true;
  }

  /** Empties the queue (on close): the store keeps its copies for the next ladder. */
  takeAll(): Held<Req, Res>[] {
    this.#backlog = 0;
    return this.#items.splice(0);
  }

  #restoredHeld(entry: QueuedRequest<Req>): Held<Req, Res> {
    const { id: key, request, at, replays } = entry;
    return { id: this.#nextId++, key, request, at, replays, caller: undefined, stored: undefined };
  }

  async #list(store: QueueStore<Req>): Promise<readonly QueuedRequest<Req>[]> {
    try {
      const entries = await this.#serial(() => store.list());
      checkEntries(entries);
      return entries;
    } catch (error) {
      this.#failed('list', undefined, error);
      throw isStoreFailure(error)
        ? error
        : new ResilienceError(
            'ERR_STORE_FAILED',
            `queue store list failed: ${describeError(error)}`,
            {
              cause: error,
            },
          );
    }
  }

  #remove(held: Held<Req, Res>): void {
    const i = this.#items.indexOf(held);
    if (i >= 0) this.#items.splice(i, 1);
  }

  #failed(op: 'put' | 'delete' | 'list', key: string | undefined, error: unknown): void {
    this.#emitter.emit({ type: 'degrade.store_failed', op, key, error: describeError(error) });
  }

  #serial<T>(op: () => PromiseLike<T> | T): Promise<T> {
    const result = this.#lock.then(op);
    this.#lock = result.catch(() => {});
    return result;
  }
}

function record<Req, Res>(held: Held<Req, Res>): QueuedRequest<Req> {
  const { key, request, at, replays } = held;
  return { id: key as string, request, at, replays };
}

/** Runs a store call; what it threw, or undefined if it succeeded. */
async function attempt(op: () => unknown): Promise<{ error: unknown } | undefined> {
  try {
    await op();
    return undefined;
  } catch (error) {
    return { error };
  }
}

function isStoreFailure(error: unknown): boolean {
  return error instanceof ResilienceError && error.code === 'ERR_STORE_FAILED';
}

/** A store whose rows are not queued requests is refused whole: nothing is guessed or skipped. */
function checkEntries(entries: unknown): asserts entries is readonly QueuedRequest<unknown>[] {
  if (!Array.isArray(entries))
    throw new ResilienceError('ERR_STORE_FAILED', 'queue store list returned no array');
  entries.forEach((entry: Partial<QueuedRequest> | null, i) => {
    const ok =
      typeof entry === 'object' &&
      entry !== null &&
      typeof entry.id === 'string' &&
      entry.id.length > 0 &&
      Number.isFinite(entry.at) &&
      Number.isInteger(entry.replays) &&
      (entry.replays as number) >= 0;
    if (!ok)
      throw new ResilienceError(
        'ERR_STORE_FAILED',
        `queue store entry ${i} is not a QueuedRequest`,
      );
  });
}
