import type { Clock, Node } from '@warden/core';
import { Emitter, type Observed } from './events.js';
import { abortedError } from './internal/abort.js';
import { checkClock, checkName, invalidOption } from './internal/check.js';
import { type Admission, admit, checkOwner, checkTimeout } from './internal/lock-admission.js';
import {
  closedError,
  deadlockError,
  fencedError,
  lockTimeoutError,
  notHeldError,
  ownerGoneError,
  unknownResource,
} from './internal/lock-errors.js';
import { OwnerWatch } from './internal/owner-watch.js';
import { type Parked, park } from './internal/park.js';
import { type Lease, type LockOptions, type Owner, ownerKey } from './lease.js';
import { type Grant, type Holding, LockTable } from './lock-table.js';
import { findCycle } from './wait-for-graph.js';

export interface ResourceMediatorOptions extends Observed {
  readonly clock: Clock;
  /** The named resources: a memory store, a file, an API-quota bucket... More with `addResource`. */
  readonly resources?: readonly string[];
  /**
   * With a node, locks held by a pid are released when that process exits (through a monitor),
   * and the mediator closes when the node stops (`node.signal`).
   */
  readonly node?: Node;
  /** Default acquire timeout in ms. Default 30 000; `Infinity` waits for ever. */
  readonly timeoutMs?: number;
}

export const MEDIATOR_DEFAULTS = Object.freeze({ timeoutMs: 30_000 });

/**
 * Mediates exclusive access to named resources among agents (processes or any owner string).
 *
 * - `acquireAll(owner, names)` takes several resources all at once or not at all, in canonical
 *   (sorted) order, never holding a part while waiting: deadlock-free by construction.
 * - `acquire(owner, name)` takes one resource at a time, for callers that must acquire
 *   incrementally. Before it parks a waiter, the mediator looks for a cycle in the wait-for graph;
 *   if the new wait would close one, that request fails at once with `ERR_DEADLOCK` (the cycle on
 *   the error's event) and the others keep their places.
 * - Every grant issues a fencing token, strictly increasing per resource. `assertFence` (or
 *   `guard`) rejects a stale token with `ERR_FENCED`, so a holder that lost its lock (it exited,
 *   released, or was presumed dead) can never write after its successor.
 * - With `node`, a pid owner is monitored: when it exits, its locks are released and its waits
 *   withdrawn (the small `DownWatcher` helper process does the monitoring).
 * - Every wait is bounded by a timeout (`ERR_LOCK_TIMEOUT`) and abortable (`ERR_ABORTED`).
 *
 * @example
 * const mediator = new ResourceMediator({ clock, node, resources: ['memory', 'quota'] });
 * const [memory] = await mediator.acquireAll(ctx.self, ['memory', 'quota'], { signal: ctx.signal });
 * mediator.guard(memory, (token) => store.write(notes, token));
 */
export class ResourceMediator {
  readonly timeoutMs: number;
  readonly #clock: Clock;
  readonly #emitter: Emitter;
  readonly #table: LockTable;
  readonly #pending = new Map<number, Parked<Grant>>();
  readonly #owners: OwnerWatch;
  #nextId = 1;
  #closed = false;

  constructor(options: ResourceMediatorOptions) {
    this.#clock = checkClock('clock', options?.clock);
    if (options.node !== undefined && typeof options.node?.spawn !== 'function') {
      throw invalidOption('node', options.node, 'a Node');
    }
    this.timeoutMs = checkTimeout(options.timeoutMs ?? MEDIATOR_DEFAULTS.timeoutMs);
    if (options.resources !== undefined && !Array.isArray(options.resources)) {
      throw invalidOption('resources', options.resources, 'an array of names');
    }
    this.#table = new LockTable((options.resources ?? []).map((r) => checkName('resources[]', r)));
    this.#emitter = new Emitter(options, this.#clock, 'resource-mediator');
    this.#owners = new OwnerWatch(options.node, (pid) => this.releaseAll(pid, 'owner_exit'));
    // A mediator stops with its node: its waiters' timers must not outlive it.
    const stop = options.node?.signal;
    if (stop?.aborted === true) this.close();
    else stop?.addEventListener('abort', () => this.close(), { once: true });
  }

  addResource(name: string): void {
    this.#table.add(checkName('resource', name));
  }

  /** The current holder and token of a resource. */
  holderOf(resource: string): Holding | undefined {
    return this.#table.holder(resource);
  }

  /** The current wait-for graph between owners (for inspection). */
  waitForGraph(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const [k, v] of this.#table.waitForGraph()) out.set(k, [...v]);
    return out;
  }

  /** Acquires one resource (incremental use; may fail with `ERR_DEADLOCK`). */
  async acquire(owner: Owner, resource: string, options: LockOptions = {}): Promise<Lease> {
    const [lease] = await this.#request(owner, [resource], options);
    return lease as Lease;
  }

  /**
   * Acquires every resource at once or none. They are taken in canonical (sorted) order; the
   * leases come back in the order asked for, so `const [memory, quota] = ...` reads naturally.
   */
  async acquireAll<const R extends readonly string[]>(
    owner: Owner,
    resources: R,
    options: LockOptions = {},
  ): Promise<{ -readonly [K in keyof R]: Lease }> {
    if (!Array.isArray(resources) || resources.length === 0) {
      throw invalidOption('resources', resources, 'a non-empty array of names');
    }
    const canonical = [...new Set<string>(resources)].sort();
    const leases = await this.#request(owner, canonical, options);
    const byName = new Map(leases.map((l) => [l.resource, l]));
    return resources.map((r) => byName.get(r) as Lease) as { -readonly [K in keyof R]: Lease };
  }

  /** Throws `ERR_FENCED` unless `token` is the live token of the current holder of `resource`. */
  assertFence(resource: string, token: number): void {
    const holding = this.#table.holder(resource);
    if (holding?.token === token) return;
    if (this.#emitter.active) {
      this.#emitter.emit({ type: 'lock.fenced', resource, token, current: holding?.token });
    }
    throw fencedError(resource, token, holding?.token);
  }

  /** Runs `write` only if the lease is still live: `assertFence` and then the write, atomically. */
  guard<T>(lease: Lease, write: (token: number) => T): T {
    this.assertFence(lease.resource, lease.token);
    return write(lease.token);
  }

  /**
   * Releases one resource that `owner` holds, for callers that did not keep the lease (it went
   * through a message, say). Throws `ERR_UNKNOWN_RESOURCE` for an undeclared name and
   * `ERR_NOT_HELD` when `owner` does not hold it; either way nothing changes.
   */
  release(owner: Owner, resource: string): void {
    const key = ownerKey(checkOwner(owner));
    if (!this.#table.has(resource)) throw unknownResource(resource);
    const holding = this.#table.holder(resource);
    if (holding?.owner !== key) throw notHeldError(key, resource, holding?.owner);
    if (this.#release(resource, key, holding.token, 'release')) this.#settle();
  }

  /** Releases everything `owner` holds and withdraws its waits; returns the count released. */
  releaseAll(owner: Owner, cause: 'release' | 'owner_exit' = 'release'): number {
    const key = ownerKey(checkOwner(owner));
    for (const w of this.#table.waitingOf(key)) {
      this.#table.withdraw(w.id);
      const pending = this.#pending.get(w.id);
      this.#pending.delete(w.id);
      pending?.reject(ownerGoneError(key));
    }
    let released = 0;
    for (const r of this.#table.heldBy(key)) {
      const h = this.#table.holder(r) as Holding;
      if (this.#release(r, key, h.token, cause)) released++;
    }
    this.#settle();
    return released;
  }

  /**
   * Stops taking work: the waiters pending now, and every later `acquire` or `acquireAll`, are
   * rejected with `ERR_CLOSED` (a refused request is never queued and arms no timer). Leases
   * granted before stay live (`held`, fence-valid) until released, so a holder can finish its
   * write: closing is not revocation. Releasing them afterwards frees the resource, never throws,
   * and grants nothing: a closed mediator never grants again. Owners are no longer monitored, so
   * a pid owner's exit no longer releases its locks. A second `close()` does nothing.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [id, p] of this.#pending) {
      this.#table.withdraw(id);
      p.reject(closedError());
    }
    this.#pending.clear();
    this.#owners.stop();
  }

  #request(owner: Owner, resources: string[], options: LockOptions): Promise<Lease[]> {
    let admission: Admission;
    try {
      admission = admit(this.#table, this.#closed, this.timeoutMs, owner, resources, options);
    } catch (error) {
      return Promise.reject(error);
    }
    const { key, signal, timeoutMs } = admission;
    const id = this.#nextId++;
    this.#table.enqueue({ id, owner: key, resources });
    const cycle = findCycle(this.#table.waitForGraph(), key);
    if (cycle !== undefined) {
      this.#table.withdraw(id);
      this.#denied(key, resources, 'deadlock', cycle);
      return Promise.reject(deadlockError(resources, cycle));
    }
    this.#owners.own(owner);
    const waiter = park<Grant>(this.#clock, { signal, timeoutMs }, (reason) => {
      if (!this.#table.withdraw(id)) return undefined; // served meanwhile
      this.#pending.delete(id);
      this.#denied(key, resources, reason);
      this.#forget(key);
      this.#settle(); // a withdrawn waiter may have been blocking later ones
      return reason === 'aborted'
        ? abortedError(signal as AbortSignal)
        : lockTimeoutError(resources, timeoutMs);
    });
    this.#pending.set(id, waiter);
    this.#settle();
    return waiter.promise.then((grant) =>
      resources.map((r) => this.#lease(r, key, grant.tokens.get(r) as number)),
    );
  }

  /** Grants what can be granted now and resolves those waiters. */
  #settle(): void {
    if (this.#closed) return; // a closed mediator never grants, whatever was released
    for (const grant of this.#table.grantReady()) {
      const pending = this.#pending.get(grant.request.id);
      this.#pending.delete(grant.request.id);
      if (this.#emitter.active) {
        for (const [resource, token] of grant.tokens) {
          this.#emitter.emit({ type: 'lock.granted', owner: grant.request.owner, resource, token });
        }
      }
      pending?.resolve(grant);
    }
  }

  #lease(resource: string, owner: string, token: number): Lease {
    const mediator = this;
    return {
      resource,
      owner,
      token,
      get held() {
        return mediator.#table.holder(resource)?.token === token;
      },
      release() {
        if (mediator.#release(resource, owner, token, 'release')) mediator.#settle();
      },
    };
  }

  #release(
    resource: string,
    owner: string,
    token: number,
    cause: 'release' | 'owner_exit',
  ): boolean {
    if (!this.#table.release(resource, owner, token)) return false;
    this.#emitter.emit({ type: 'lock.released', owner, resource, token, cause });
    this.#forget(owner);
    return true;
  }

  /** Stops watching an owner that neither holds nor awaits anything any more. */
  #forget(key: string): void {
    if (this.#table.heldBy(key).length === 0 && this.#table.waitingOf(key).length === 0) {
      this.#owners.forget(key);
    }
  }

  #denied(
    owner: string,
    resources: readonly string[],
    reason: 'timeout' | 'deadlock' | 'aborted',
    cycle?: string[],
  ): void {
    if (!this.#emitter.active) return;
    this.#emitter.emit(
      cycle === undefined
        ? { type: 'lock.denied', owner, resources, reason }
        : { type: 'lock.denied', owner, resources, reason, cycle },
    );
  }
}
