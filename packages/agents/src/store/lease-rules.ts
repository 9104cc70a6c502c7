import type { Acquired, KeyLease } from './lease-store.js';
import { StoreError } from './store-error.js';

/**
 * A key's lease as a store keeps it. A released lease stays (as `released`) so that its token is
 * never granted again: a holder fenced out before the release must stay fenced out after it.
 */
export interface LeaseRow {
  readonly lease: KeyLease;
  readonly released: boolean;
}

/**
 * What `acquire` answers, the same in every store. A lease lives while `now < expiresAt`: its
 * owner extends it under the same token (`data`, when given, replaces what it published), anyone
 * else is told who holds it. A key never granted, released or expired goes to the caller under
 * the next token, also when the caller held it before the expiry: a paused owner that comes back
 * late is a new holder, and whatever it was still writing under the old token is refused.
 */
export function acquireLease(
  row: LeaseRow | undefined,
  key: string,
  owner: string,
  ttlMs: number,
  now: number,
  data: unknown,
): Acquired {
  checkTerms(ttlMs, now);
  if (row !== undefined && !row.released && now < row.lease.expiresAt) {
    if (row.lease.owner !== owner) return { acquired: false, held: row.lease };
    const extended = { ...row.lease, expiresAt: now + ttlMs };
    return { acquired: true, lease: data === undefined ? extended : { ...extended, data } };
  }
  const token = (row?.lease.token ?? 0) + 1;
  return { acquired: true, lease: { key, owner, token, expiresAt: now + ttlMs, data } };
}

/**
 * What `renew` answers: the lease extended from `now`, if the key is still held under its token
 * (also past its expiry, as long as nobody took it: no other token was granted, so nothing else
 * was written under one); else `ERR_FENCED`.
 */
export function renewLease(
  row: LeaseRow | undefined,
  lease: KeyLease,
  ttlMs: number,
  now: number,
): KeyLease {
  checkTerms(ttlMs, now);
  if (!heldUnder(row, lease.token) || row?.lease.owner !== lease.owner) throw fenced(lease.key);
  return { ...row.lease, expiresAt: now + ttlMs };
}

/** Whether the key's lease is held (not released) under this token: the fencing check. */
export function heldUnder(row: LeaseRow | undefined, token: number): row is LeaseRow {
  return row !== undefined && !row.released && row.lease.token === token;
}

export function fenced(key: string): StoreError {
  return new StoreError('ERR_FENCED', `the lease on ${key} changed hands: the write is refused`, {
    detail: { key },
  });
}

function checkTerms(ttlMs: number, now: number): void {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new StoreError('ERR_INVALID_OPTION', `ttlMs must be a positive number, got ${ttlMs}`, {
      field: 'ttlMs',
    });
  }
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new StoreError('ERR_INVALID_OPTION', `now must be a finite number, got ${now}`, {
      field: 'now',
    });
  }
}
