import { isPid } from '@warden/core';
import { type LockOptions, type Owner, ownerKey } from '../lease.js';
import type { LockTable } from '../lock-table.js';
import { abortedError } from './abort.js';
import { checkName, checkNumber, checkSignal } from './check.js';
import { alreadyHeldError, closedError, unknownResource } from './lock-errors.js';

/** A request the mediator let in: the owner's key, and the signal and timeout it waits under. */
export interface Admission {
  readonly key: string;
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number;
}

/**
 * Decides whether a request may wait, before it is queued or arms a timer, so that a refused
 * request leaves no trace. Throws, first failure first: a bad owner, signal or timeout
 * (`ERR_INVALID_OPTION`), then `ERR_CLOSED`, `ERR_UNKNOWN_RESOURCE`, `ERR_ALREADY_HELD`, and
 * `ERR_ABORTED` for a signal that fired already. Without `options.timeoutMs`, the mediator's.
 */
export function admit(
  table: LockTable,
  closed: boolean,
  defaultTimeoutMs: number,
  owner: Owner,
  resources: readonly string[],
  options: LockOptions,
): Admission {
  checkOwner(owner);
  const signal = checkSignal('signal', options?.signal);
  const timeoutMs =
    options.timeoutMs === undefined ? defaultTimeoutMs : checkTimeout(options.timeoutMs);
  if (closed) throw closedError();
  const key = ownerKey(owner);
  for (const r of resources) {
    if (!table.has(r)) throw unknownResource(r);
  }
  if (table.involves(key, resources)) throw alreadyHeldError(key, resources);
  if (signal?.aborted === true) throw abortedError(signal);
  return { key, signal, timeoutMs };
}

/** A pid or a non-empty string. */
export function checkOwner(owner: Owner): Owner {
  return isPid(owner) ? owner : checkName('owner', owner);
}

export function checkTimeout(value: number): number {
  return value === Number.POSITIVE_INFINITY ? value : checkNumber('timeoutMs', value, 0);
}
