import { isPid, type Pid } from '@warden/core';

/** Who holds a lock: a process (released when it exits) or any stable string. */
export type Owner = Pid | string;

export interface LockOptions {
  /** Overrides the mediator's default timeout (`ERR_LOCK_TIMEOUT` when it passes). */
  readonly timeoutMs?: number;
  /** Gives up waiting with `ERR_ABORTED`. */
  readonly signal?: AbortSignal;
}

/** One held resource. `token` is its fencing token: present it with every write. */
export interface Lease {
  readonly resource: string;
  readonly owner: string;
  readonly token: number;
  /** False once released, or once the owner exited. */
  readonly held: boolean;
  /** Idempotent. */
  release(): void;
}

export function ownerKey(owner: Owner): string {
  return isPid(owner) ? owner.key : owner;
}
