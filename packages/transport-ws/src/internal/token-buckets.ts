import type { RateLimit } from '../options.js';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * One token bucket per key (an identity, a source address), refilled by elapsed wall time. At most
 * `maxKeys` keys are tracked: past that the oldest is forgotten, which can only give its owner a
 * full bucket again, never take tokens from anyone else.
 */
export class TokenBuckets {
  readonly #buckets = new Map<string, Bucket>();
  readonly #limit: RateLimit;
  readonly #maxKeys: number;

  constructor(limit: RateLimit, maxKeys: number) {
    this.#limit = limit;
    this.#maxKeys = maxKeys;
  }

  /** Whether `key` has a token left at `now` (takes none). */
  has(key: string, now: number): boolean {
    return this.#refill(key, now) >= 1;
  }

  /** Takes one token from `key`'s bucket; false (and takes none) if it is empty. */
  take(key: string, now: number): boolean {
    const tokens = this.#refill(key, now);
    if (tokens < 1) return false;
    this.#set(key, { tokens: tokens - 1, at: now });
    return true;
  }

  get size(): number {
    return this.#buckets.size;
  }

  #refill(key: string, now: number): number {
    const b = this.#buckets.get(key);
    if (b === undefined) return this.#limit.burst;
    const elapsed = Math.max(0, now - b.at) / 1000;
    const tokens = Math.min(this.#limit.burst, b.tokens + elapsed * this.#limit.perSecond);
    if (tokens >= this.#limit.burst) this.#buckets.delete(key);
    return tokens;
  }

  #set(key: string, bucket: Bucket): void {
    this.#buckets.delete(key);
    if (this.#buckets.size >= this.#maxKeys) {
      const oldest = this.#buckets.keys().next();
      if (oldest.done !== true) this.#buckets.delete(oldest.value);
    }
    this.#buckets.set(key, bucket);
  }
}
