import { acquireLease, heldUnder, type LeaseRow, renewLease } from './lease-rules.js';
import type { Acquired, KeyLease, LeaseStore } from './lease-store.js';
import { storeJsonCopy } from './store-json.js';

/**
 * Leases in memory: spawn-once within one node (every process of the node shares the store).
 * `data` is kept as JSON, as a durable store keeps it. `heldUnder` answers at once, so a commit
 * can check its fence and write in one synchronous step, with nothing in between.
 */
export class MemoryLeaseStore implements LeaseStore {
  readonly #rows = new Map<string, LeaseRow>();

  async acquire(
    key: string,
    owner: string,
    ttlMs: number,
    now: number,
    data?: unknown,
  ): Promise<Acquired> {
    const answer = acquireLease(
      this.#rows.get(key),
      key,
      owner,
      ttlMs,
      now,
      storeJsonCopy(data, 'lease data'),
    );
    if (answer.acquired)
      this.#rows.set(key, { lease: Object.freeze(answer.lease), released: false });
    return answer;
  }

  async renew(lease: KeyLease, ttlMs: number, now: number): Promise<KeyLease> {
    const renewed = Object.freeze(renewLease(this.#rows.get(lease.key), lease, ttlMs, now));
    this.#rows.set(lease.key, { lease: renewed, released: false });
    return renewed;
  }

  async release(lease: KeyLease): Promise<boolean> {
    const row = this.#rows.get(lease.key);
    if (!heldUnder(row, lease.token)) return false;
    this.#rows.set(lease.key, { lease: row.lease, released: true });
    return true;
  }

  async current(key: string): Promise<KeyLease | undefined> {
    const row = this.#rows.get(key);
    return row === undefined || row.released ? undefined : row.lease;
  }

  /** Whether the key is held under `token` now (released or taken over: false). */
  heldUnder(key: string, token: number): boolean {
    return heldUnder(this.#rows.get(key), token);
  }
}
