import type { Node } from '@warden/core';
import type { LeaseStore } from './lease-store.js';
import { StoreError } from './store-error.js';

export interface ClusterSpawnOnceOptions {
  /** The node instances are started from, whose clock the leases are timed by. */
  readonly node: Node;
  /** The leases every node shares: a database's (`AgentStore.leases`) for a cluster. */
  readonly leases: LeaseStore;
  /**
   * How long a grant lasts unrenewed: how long a key stays taken after its node died. Default
   * 15 s. The nodes' `leaseClock`s must agree to within a small part of it.
   */
  readonly leaseMs?: number;
  /** How often a holder renews its lease. Default a third of `leaseMs`. */
  readonly renewMs?: number;
  /** How often to look again at a key another node is still starting. Default 250 ms. */
  readonly recheckMs?: number;
  /**
   * The time lease expiries are written in and compared with, the same on every node sharing
   * the leases. Default the node's clock, which the nodes of one process share (a `TestClock`);
   * nodes in separate processes pass one they share, such as `{ now: Date.now }` (a node's own
   * clock starts near 0 with its process). Renewals and waits are still timed by the node's clock.
   */
  readonly leaseClock?: { now(): number };
}

export const CLUSTER_SPAWN_ONCE_DEFAULTS = Object.freeze({ leaseMs: 15_000, recheckMs: 250 });

export interface ResolvedClusterSpawnOnceOptions {
  readonly node: Node;
  readonly leases: LeaseStore;
  readonly leaseMs: number;
  readonly renewMs: number;
  readonly recheckMs: number;
  readonly leaseClock: { now(): number };
}

/** Checks the options (renewals must come well within a lease) and fills the defaults in. */
export function resolveClusterSpawnOnceOptions(
  options: ClusterSpawnOnceOptions,
): ResolvedClusterSpawnOnceOptions {
  if (typeof options?.node?.spawn !== 'function') throw invalidSpawnOption('node', 'a Node');
  const leases = options.leases as Partial<LeaseStore> | undefined;
  if (typeof leases?.acquire !== 'function' || typeof leases.renew !== 'function') {
    throw invalidSpawnOption('leases', 'a LeaseStore');
  }
  const d = CLUSTER_SPAWN_ONCE_DEFAULTS;
  const leaseMs = positive('leaseMs', options.leaseMs ?? d.leaseMs);
  const renewMs = positive('renewMs', options.renewMs ?? leaseMs / 3);
  if (renewMs >= leaseMs) throw invalidSpawnOption('renewMs', 'less than leaseMs');
  const recheckMs = positive('recheckMs', options.recheckMs ?? d.recheckMs);
  const node = options.node;
  const given = options.leaseClock;
  if (given !== undefined && typeof given?.now !== 'function') {
    throw invalidSpawnOption('leaseClock', 'a clock (with now())');
  }
  const leaseClock = given ?? { now: () => node.clock.now() };
  return { node, leases: options.leases, leaseMs, renewMs, recheckMs, leaseClock };
}

function positive(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalidSpawnOption(field, 'a positive number of milliseconds');
  }
  return value;
}

export function invalidSpawnOption(field: string, expected: string): StoreError {
  return new StoreError('ERR_INVALID_OPTION', `invalid ${field} (expected ${expected})`, { field });
}
