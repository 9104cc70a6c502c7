/**
 * Remembers the handshake challenges already answered, so that a recorded handshake cannot be
 * played again. Entries expire after `ttl` ms (the handshake window: older challenges are
 * refused anyway); the cache never holds more than `capacity` entries. When it is full of live
 * entries `add` refuses (the handshake is refused, fail-closed) rather than forgetting one.
 *
 * One cache per proven identity (`HandshakeGuard`), sized so that the identity's rate limit can
 * never fill it: a member that floods handshakes fills only its own.
 */
export class ReplayCache {
  readonly #seen = new Map<string, number>();
  readonly #ttl: number;
  readonly #capacity: number;

  constructor(ttl: number, capacity: number) {
    this.#ttl = ttl;
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#seen.size;
  }

  /** Records `key` at time `now`; returns false if it was seen (a replay) or the cache is full. */
  add(key: string, now: number): 'added' | 'replayed' | 'full' {
    this.#expire(now);
    if (this.#seen.has(key)) return 'replayed';
    if (this.#seen.size >= this.#capacity) return 'full';
    this.#seen.set(key, now);
    return 'added';
  }

  has(key: string, now: number): boolean {
    this.#expire(now);
    return this.#seen.has(key);
  }

  /** Insertion order is time order, so expired entries are all at the front. */
  #expire(now: number): void {
    for (const [key, at] of this.#seen) {
      if (now - at <= this.#ttl) return;
      this.#seen.delete(key);
    }
  }
}
