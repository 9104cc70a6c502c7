import { DownMessage, type Node, type Pid, type Ref } from '@warden/core';
import type { KeyLease, LeaseStore } from './lease-store.js';
import { isStoreError } from './store-error.js';

/** What a keeper is told by the guard that started it. */
export type KeeperMessage =
  /** The instance the lease is for: watch it, release the lease when it ends. */
  | { readonly $keeper: 'watch'; readonly pid: Pid }
  /** The start failed: release the lease and end. */
  | { readonly $keeper: 'abandon' }
  | { readonly $keeper: 'renew' };

/** Why a keeper gave its instance up. */
export type LeaseLoss = 'fenced' | 'unrenewed';

export interface KeeperHooks {
  /** The lease as last renewed. */
  renewed(lease: KeyLease): void;
  /** The instance ended; `released` settles once the lease is given back (or could not be). */
  ended(pid: Pid, released: Promise<boolean>): void;
  /** The lease was lost while the instance ran: the keeper killed it. */
  lost(pid: Pid | undefined, why: LeaseLoss, error: unknown): void;
}

const isKeeperMessage = (m: unknown): m is KeeperMessage =>
  typeof m === 'object' && m !== null && '$keeper' in m;

/**
 * Spawns the process that holds one lease for one instance: it renews the lease every `renewMs`
 * on the node's clock while the instance lives, and gives it back when the instance ends. If a
 * renewal is refused (`ERR_FENCED`: another node holds the key now), or fails and the next try
 * would come after the lease expires, it kills the instance at once: an instance whose lease may
 * be someone else's must not live on beside theirs. (OTP's `global` settles a name clash the same
 * way, with `exit(Pid, kill)`.) The keeper monitors the instance, so it works for a pid on any node.
 */
export function spawnLeaseKeeper(
  node: Node,
  leases: LeaseStore,
  first: KeyLease,
  timing: {
    readonly leaseMs: number;
    readonly renewMs: number;
    /** The time leases are written in (the node's clock times the renewals). */
    readonly clock: { now(): number };
  },
  hooks: KeeperHooks,
): Pid {
  const { leaseMs, renewMs, clock } = timing;
  return node.spawn(
    async (ctx) => {
      let lease = first;
      let watched: { pid: Pid; ref: Ref } | undefined;
      ctx.sendAfter(ctx.self, { $keeper: 'renew' }, renewMs);
      for (;;) {
        const message = await ctx.receive(
          (m) => isKeeperMessage(m) || (m instanceof DownMessage && m.ref === watched?.ref),
        );
        if (message instanceof DownMessage) {
          hooks.ended(
            message.pid,
            leases.release(lease).catch(() => false),
          );
          return;
        }
        const order = message as KeeperMessage;
        if (order.$keeper === 'watch') {
          watched = { pid: order.pid, ref: ctx.monitor(order.pid) };
        } else if (order.$keeper === 'abandon') {
          await leases.release(lease).catch(() => false);
          return;
        } else {
          try {
            lease = await leases.renew(lease, leaseMs, clock.now());
            hooks.renewed(lease);
          } catch (error) {
            const fenced = isStoreError(error, 'ERR_FENCED');
            if (fenced || clock.now() + renewMs >= lease.expiresAt) {
              if (watched !== undefined) ctx.exit(watched.pid, 'kill');
              hooks.lost(watched?.pid, fenced ? 'fenced' : 'unrenewed', error);
              return;
            }
          }
          ctx.sendAfter(ctx.self, { $keeper: 'renew' }, renewMs);
        }
      }
    },
    { mailbox: { capacity: Number.POSITIVE_INFINITY } },
  );
}
