/**
 * A lease on a logical key (a spawn-once key, a run), held by one owner until it expires or is
 * released. `token` is a fencing token: it grows every time the lease changes hands, so a write
 * that carries the token it was granted under is refused once someone else holds the key, even if
 * the old owner does not yet know it lost it (a paused process, a partitioned node).
 */
export interface KeyLease {
  readonly key: string;
  /** Who holds it: a node name, or a node and process. */
  readonly owner: string;
  /** 1 for the first grant of the key, one more for each grant to a new owner. */
  readonly token: number;
  /** Node-clock time after which another owner may take it. */
  readonly expiresAt: number;
  /** What the owner published with it (the pid of the process it runs, as wire data). */
  readonly data: unknown;
}

export type Acquired =
  | { readonly acquired: true; readonly lease: KeyLease }
  | { readonly acquired: false; readonly held: KeyLease };

/**
 * Leases for cluster-wide spawn-once: at most one live owner of a key across every node that
 * shares the store. All times are the caller's node-clock time, so tests run in virtual time; in
 * a cluster the nodes' clocks must agree to within a small part of the lease's length.
 */
export interface LeaseStore {
  /**
   * Grants the key if it is free or its lease expired (a new token), or extends it if `owner`
   * already holds it (the same token); otherwise answers who holds it.
   */
  acquire(
    key: string,
    owner: string,
    ttlMs: number,
    now: number,
    data?: unknown,
  ): Promise<Acquired>;
  /** Extends a lease still held under its token; `ERR_FENCED` if it changed hands. */
  renew(lease: KeyLease, ttlMs: number, now: number): Promise<KeyLease>;
  /** Gives the key up if still held under the lease's token; false if it had changed hands. */
  release(lease: KeyLease): Promise<boolean>;
  /** The lease on the key, expired or not; undefined if never granted or released. */
  current(key: string): Promise<KeyLease | undefined>;
}
