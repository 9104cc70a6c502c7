/** One request for one or more exclusive resources, in canonical (sorted) order. */
export interface LockRequest {
  readonly id: number;
  readonly owner: string;
  readonly resources: readonly string[];
}

export interface Holding {
  readonly owner: string;
  readonly token: number;
}

/** A granted request: the fencing token issued for each of its resources. */
export interface Grant {
  readonly request: LockRequest;
  readonly tokens: ReadonlyMap<string, number>;
}

/**
 * The mediator's bookkeeping, synchronous and without time, so that it can be tested (and
 * property-tested) alone. Invariants, stated bluntly:
 * - a resource has at most one holder (resources are exclusive);
 * - a request is granted all at once or not at all, never in part;
 * - waiting requests are served in arrival order per resource: a later request never overtakes
 *   an earlier one that wants one of the same resources (no starvation);
 * - every grant of a resource issues a strictly greater fencing token than the one before.
 */
export class LockTable {
  readonly #holders = new Map<string, Holding | undefined>();
  readonly #tokens = new Map<string, number>();
  /** Waiting requests in arrival order (Map keeps insertion order). */
  readonly #waiting = new Map<number, LockRequest>();

  constructor(resources: Iterable<string> = []) {
    for (const r of resources) this.add(r);
  }

  add(resource: string): void {
    if (!this.#holders.has(resource)) {
      this.#holders.set(resource, undefined);
      this.#tokens.set(resource, 0);
    }
  }

  has(resource: string): boolean {
    return this.#holders.has(resource);
  }

  resources(): string[] {
    return [...this.#holders.keys()];
  }

  holder(resource: string): Holding | undefined {
    return this.#holders.get(resource);
  }

  /** The last fencing token issued for `resource` (0 before the first grant). */
  lastToken(resource: string): number {
    return this.#tokens.get(resource) ?? 0;
  }

  heldBy(owner: string): string[] {
    const out: string[] = [];
    for (const [r, h] of this.#holders) if (h?.owner === owner) out.push(r);
    return out;
  }

  waitingOf(owner: string): LockRequest[] {
    return [...this.#waiting.values()].filter((w) => w.owner === owner);
  }

  get waitingCount(): number {
    return this.#waiting.size;
  }

  /** True when `owner` holds or waits for any of `resources`. */
  involves(owner: string, resources: readonly string[]): boolean {
    for (const r of resources) if (this.#holders.get(r)?.owner === owner) return true;
    for (const w of this.#waiting.values()) {
      if (w.owner === owner && w.resources.some((r) => resources.includes(r))) return true;
    }
    return false;
  }

  enqueue(request: LockRequest): void {
    this.#waiting.set(request.id, request);
  }

  /** Withdraws a waiting request (timeout, abort, deadlock victim); true if it was waiting. */
  withdraw(id: number): boolean {
    return this.#waiting.delete(id);
  }

  /**
   * Grants, in arrival order, every waiting request whose resources are all free and not wanted
   * by an earlier waiting request. Returns the grants made.
   */
  grantReady(): Grant[] {
    const grants: Grant[] = [];
    const claimed = new Set<string>();
    for (const request of [...this.#waiting.values()]) {
      const free = request.resources.every(
        (r) => this.#holders.get(r) === undefined && !claimed.has(r),
      );
      if (!free) {
        for (const r of request.resources) claimed.add(r);
        continue;
      }
      this.#waiting.delete(request.id);
      const tokens = new Map<string, number>();
      for (const r of request.resources) {
        const token = (this.#tokens.get(r) ?? 0) + 1;
        this.#tokens.set(r, token);
        this.#holders.set(r, { owner: request.owner, token });
        tokens.set(r, token);
      }
      grants.push({ request, tokens });
    }
    return grants;
  }

  /** Releases `resource` if `owner` holds it under `token`; returns whether it did. */
  release(resource: string, owner: string, token: number): boolean {
    const h = this.#holders.get(resource);
    if (h === undefined || h.owner !== owner || h.token !== token) return false;
    this.#holders.set(resource, undefined);
    return true;
  }

  /**
   * The wait-for graph between owners: a waiter waits for the holder of each resource it wants
   * and for every earlier waiter that wants one of them (arrival order is part of the rule).
   */
  waitForGraph(): Map<string, Set<string>> {
    const graph = new Map<string, Set<string>>();
    const earlier: LockRequest[] = [];
    for (const request of this.#waiting.values()) {
      const edges = graph.get(request.owner) ?? new Set<string>();
      for (const r of request.resources) {
        const h = this.#holders.get(r);
        if (h !== undefined && h.owner !== request.owner) edges.add(h.owner);
        for (const e of earlier) {
          if (e.owner !== request.owner && e.resources.includes(r)) edges.add(e.owner);
        }
      }
      graph.set(request.owner, edges);
      earlier.push(request);
    }
    return graph;
  }
}
