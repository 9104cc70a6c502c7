import { randomUUID } from 'node:crypto';
import { isPid, type Node, Pid } from '@warden/core';
import { ResilienceError } from '@warden/resilience';
import type { ClusterSpawnEvent } from './cluster-spawn-event.js';
import {
  type ClusterSpawnOnceOptions,
  invalidSpawnOption,
  resolveClusterSpawnOnceOptions,
} from './cluster-spawn-once-options.js';
import { type KeeperMessage, type LeaseLoss, spawnLeaseKeeper } from './lease-keeper.js';
import type { KeyLease, LeaseStore } from './lease-store.js';
import { StoreError } from './store-error.js';

/**
 * Starts the instance under the lease it was granted. Pass `{ key: lease.key, token:
 * lease.token }` on as the instance's `fence`, so that its checkpoint commits are refused once
 * another node has taken the key over. Start it `temporary`: a supervisor restarting it would
 * start it outside the lease.
 */
export type ClusterStart = (lease: KeyLease) => Promise<Pid>;

export type ClusterSpawnOnceResult =
  | { readonly outcome: 'started'; readonly pid: Pid; readonly lease: KeyLease }
  /** Someone holds the key: its pid, maybe on another node, to call or monitor. */
  | { readonly outcome: 'joined'; readonly pid: Pid; readonly lease: KeyLease };

interface Local {
  /** Settles when a start or an end in progress has settled. */
  busy: Promise<unknown> | undefined;
  /** The running instance and its lease, once its pid is published. */
  pid: Pid | undefined;
  lease: KeyLease | undefined;
  /** The keeper gave the lease up (refused or unrenewed). */
  lost: boolean;
}

/** Waits on a local start in progress at most this many times before answering what it sees. */
const MAX_ROUNDS = 16;

/**
 * Spawn-once across a cluster: at most one live instance of a logical key on all the nodes that
 * share a `LeaseStore`. The node that is granted the key's lease starts the instance and
 * publishes its pid (as wire data) with the lease; a lease keeper renews it on the node's clock
 * while the instance lives and gives it back when it ends. Any other caller, on any node, is
 * answered the holder's pid (`joined`), to call or monitor. When a holder's node dies, its lease
 * runs out and the next request takes the key over under a higher fencing token, so writes the
 * old instance still makes under its token are refused. An instance whose lease is lost while it
 * runs (renewals refused, or failing until it would expire) is killed by its keeper before the
 * lease can pass to another node.
 *
 * Calls on one node for one key are answered in turn: the second waits for the first's start.
 *
 * @example
 * const once = new ClusterSpawnOnce({ node, leases: store.leases, leaseMs: 10_000 });
 * const { pid } = await once.spawnOnce('planner:t-42', (lease) => startPlanner(lease));
 */
export class ClusterSpawnOnce {
  readonly leaseMs: number;
  readonly renewMs: number;
  readonly recheckMs: number;
  /** Who this guard is in the leases: its node, the node's incarnation, and itself. */
  readonly owner: string;
  readonly #node: Node;
  readonly #leases: LeaseStore;
  readonly #leaseClock: { now(): number };
  readonly #local = new Map<string, Local>();

  constructor(options: ClusterSpawnOnceOptions) {
    const resolved = resolveClusterSpawnOnceOptions(options);
    this.#node = resolved.node;
    this.#leases = resolved.leases;
    this.leaseMs = resolved.leaseMs;
    this.renewMs = resolved.renewMs;
    this.recheckMs = resolved.recheckMs;
    this.#leaseClock = resolved.leaseClock;
    this.owner = `${this.#node.name}/${this.#node.incarnation}/${randomUUID()}`;
  }

  /** The pid of this node's live instance of `key`, if it runs one. */
  running(key: string): Pid | undefined {
    return this.#local.get(key)?.pid;
  }

  async spawnOnce(
    key: string,
    start: ClusterStart,
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<ClusterSpawnOnceResult> {
    if (typeof key !== 'string' || key.length === 0)
      throw invalidSpawnOption('key', 'a non-empty string');
    if (typeof start !== 'function')
      throw invalidSpawnOption('start', 'a function (lease) => Promise<Pid>');
    const signal = options.signal;
    for (let round = 0; ; round++) {
      signal?.throwIfAborted();
      const local = this.#local.get(key);
      if (local?.busy !== undefined && round < MAX_ROUNDS) {
        await local.busy.catch(() => {});
        continue;
      }
      if (local?.pid !== undefined && local.lease !== undefined && !local.lost) {
        this.#publish({
          type: 'cluster_spawn.joined',
          ...this.#stamp(),
          key,
          pid: local.pid,
          token: local.lease.token,
        });
        return { outcome: 'joined', pid: local.pid, lease: local.lease };
      }
      const entry: Local = { busy: undefined, pid: undefined, lease: undefined, lost: false };
      this.#local.set(key, entry); // before the first await: a concurrent local call waits on it
      const claim = this.#claim(key, start, entry, signal);
      entry.busy = claim;
      try {
        return await claim;
      } finally {
        if (entry.busy === claim) entry.busy = undefined;
        if (entry.lease === undefined && this.#local.get(key) === entry) this.#local.delete(key);
      }
    }
  }

  /** Asks the store for the key: starts the instance if granted, else answers the holder. */
  async #claim(
    key: string,
    start: ClusterStart,
    entry: Local,
    signal: AbortSignal | undefined,
  ): Promise<ClusterSpawnOnceResult> {
    const rechecks = Math.ceil(this.leaseMs / this.recheckMs) + 1;
    for (let check = 0; ; check++) {
      const answer = await this.#leases.acquire(key, this.owner, this.leaseMs, this.#now());
      if (answer.acquired) return this.#start(key, start, entry, answer.lease);
      const pid = pidOf(answer.held.data);
      if (pid !== undefined) {
        this.#publish({
          type: 'cluster_spawn.joined',
          ...this.#stamp(),
          key,
          pid,
          token: answer.held.token,
        });
        return { outcome: 'joined', pid, lease: answer.held };
      }
      // Granted to a node that has not published its instance yet: it is starting it.
      if (check >= rechecks) {
        throw new ResilienceError(
          'ERR_ALREADY_RUNNING',
          `${key} is being started by ${answer.held.owner}, which published no pid in ${this.leaseMs} ms`,
        );
      }
      await this.#wait(this.recheckMs, signal);
    }
  }

  async #start(
    key: string,
    start: ClusterStart,
    entry: Local,
    granted: KeyLease,
  ): Promise<ClusterSpawnOnceResult> {
    const timing = { leaseMs: this.leaseMs, renewMs: this.renewMs, clock: this.#leaseClock };
    const keeper = spawnLeaseKeeper(this.#node, this.#leases, granted, timing, {
      renewed: (lease) => {
        if (entry.lease !== undefined) entry.lease = lease;
      },
      ended: (pid, released) => this.#ended(key, entry, pid, released),
      lost: (pid, why, error) => this.#lost(key, entry, pid, why, error),
    });
    const tell = (message: KeeperMessage) => this.#node.send(keeper, message);
    let pid: Pid;
    try {
      pid = await start(granted);
      if (!isPid(pid)) throw invalidSpawnOption('start', 'a function resolving with a Pid');
    } catch (error) {
      tell({ $keeper: 'abandon' });
      throw error;
    }
    // Publish the pid: the owner of a live lease extends it under the same token.
    const published = await this.#leases
      .acquire(key, this.owner, this.leaseMs, this.#now(), pid.toJSON())
      .catch((error: unknown) => ({ acquired: false as const, error }));
    if (!published.acquired || published.lease.token !== granted.token || entry.lost) {
      // The lease ran out while the instance started: it may be someone else's now.
      this.#node.exit(pid, 'kill');
      tell({ $keeper: 'abandon' });
      if (published.acquired && published.lease.token !== granted.token) {
        await this.#leases.release(published.lease).catch(() => false);
      }
      throw new StoreError(
        'ERR_FENCED',
        `the lease on ${key} was lost while its instance started`,
        {
          detail: { key, token: granted.token },
          ...('error' in published ? { cause: published.error } : {}),
        },
      );
    }
    entry.pid = pid;
    entry.lease = published.lease;
    // Watched from now: an instance already gone is reported at once (noproc).
    tell({ $keeper: 'watch', pid });
    this.#publish({
      type: 'cluster_spawn.started',
      ...this.#stamp(),
      key,
      pid,
      token: granted.token,
    });
    return { outcome: 'started', pid, lease: published.lease };
  }

  #ended(key: string, entry: Local, pid: Pid, released: Promise<boolean>): void {
    // Until the lease is back in the store, a caller here waits rather than join a dead pid.
    entry.pid = undefined;
    entry.lease = undefined;
    entry.busy = released.finally(() => {
      if (this.#local.get(key) === entry) this.#local.delete(key);
      this.#publish({ type: 'cluster_spawn.ended', ...this.#stamp(), key, pid });
    });
  }

  #lost(key: string, entry: Local, pid: Pid | undefined, why: LeaseLoss, error: unknown): void {
    entry.lost = true;
    // A start in progress finds `lost` when it publishes, and cleans up itself. An instance the
    // keeper was not watching yet (its pid was on its way) is killed here.
    const instance = pid ?? entry.pid;
    if (pid === undefined && instance !== undefined) this.#node.exit(instance, 'kill');
    if (entry.lease !== undefined && this.#local.get(key) === entry) this.#local.delete(key);
    entry.pid = undefined;
    entry.lease = undefined;
    const reason = error instanceof Error ? error.message : String(error);
    this.#publish({
      type: 'cluster_spawn.lease_lost',
      ...this.#stamp(),
      key,
      pid: instance,
      why,
      reason,
    });
  }

  #now(): number {
    return this.#leaseClock.now();
  }

  /** Waits on the node's clock; a stopped node or an aborted call ends the wait. */
  #wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    const clock = this.#node.clock;
    return new Promise<void>((resolve, reject) => {
      const stops = [signal, this.#node.signal].filter((s) => s !== undefined);
      const onAbort = (): void => {
        clock.clearTimer(timer);
        reject(stops.find((s) => s.aborted)?.reason);
      };
      const timer = clock.setTimer(ms, () => {
        for (const s of stops) s.removeEventListener('abort', onAbort);
        resolve();
      });
      for (const s of stops) {
        if (s.aborted) return onAbort();
        s.addEventListener('abort', onAbort, { once: true });
      }
    });
  }

  #publish(event: ClusterSpawnEvent): void {
    if (this.#node.observed) this.#node.publish(event);
  }

  /** The time and owner every event carries. */
  #stamp(): { readonly time: number; readonly owner: string } {
    return { time: this.#node.clock.now(), owner: this.owner };
  }
}

/** The pid a holder published (its wire shape), if the lease data is one. */
function pidOf(data: unknown): Pid | undefined {
  const d = data as { node?: unknown; incarnation?: unknown; id?: unknown } | null | undefined;
  if (
    typeof d === 'object' &&
    d !== null &&
    typeof d.node === 'string' &&
    typeof d.incarnation === 'string' &&
    typeof d.id === 'number'
  ) {
    return Pid.from({ node: d.node, incarnation: d.incarnation, id: d.id });
  }
  return undefined;
}
