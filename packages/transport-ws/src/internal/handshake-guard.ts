import type { RateLimit } from '../options.js';
import { ReplayCache } from './replay-cache.js';
import { TokenBuckets } from './token-buckets.js';

const MAX_KEYS = 4096;

/**
 * What stands between an authenticated hello and admission, so that no one caller can exhaust
 * the node for the others (docs/security.md):
 *
 * - failed handshakes cost their source address a token; an address with none left is answered
 *   429 before any cryptography runs;
 * - a handshake that proved its identity costs that identity a token, never another's;
 * - used challenges are remembered per identity, in a cache sized so that an identity within its
 *   rate can never fill it (`burst + perSecond * ttl`): a member flooding handshakes is refused
 *   429 for itself, while an honest node's rejoin finds its own cache and bucket untouched.
 *
 * The total of remembered challenges is still bounded (`capacity`): past it new identities are
 * refused (503), which only many distinct identities, each within its rate, can reach.
 */
export class HandshakeGuard {
  readonly #addresses: TokenBuckets;
  readonly #identities: TokenBuckets;
  readonly #replays = new Map<string, ReplayCache>();
  readonly #ttl: number;
  readonly #perIdentityCapacity: number;
  readonly #capacity: number;

  constructor(perIdentity: RateLimit, perAddress: RateLimit, ttl: number, capacity: number) {
    this.#addresses = new TokenBuckets(perAddress, MAX_KEYS);
    this.#identities = new TokenBuckets(perIdentity, MAX_KEYS);
    this.#ttl = ttl;
    this.#perIdentityCapacity = Math.ceil(perIdentity.burst + (perIdentity.perSecond * ttl) / 1000);
    this.#capacity = capacity;
  }

  /** False when `address` spent its failed handshakes: refuse it before checking anything. */
  addressAllowed(address: string, now: number): boolean {
    return this.#addresses.has(address, now);
  }

  /** A handshake from `address` failed: it costs the address a token. */
  failed(address: string, now: number): void {
    this.#addresses.take(address, now);
  }

  /** Whether `challenge` was already used by `identity` (a replay: does not record it). */
  replayed(identity: string, challenge: string, now: number): boolean {
    return this.#replays.get(identity)?.has(challenge, now) === true;
  }

  /** Records a handshake that proved `identity`; the verdict of its rate limit and replay cache. */
  admit(identity: string, challenge: string, now: number): 'ok' | 'replayed' | 'limited' | 'full' {
    if (this.replayed(identity, challenge, now)) return 'replayed';
    let cache = this.#replays.get(identity);
    if (cache === undefined) {
      this.#expire(now);
      if (this.#total() + 1 > this.#capacity) return 'full';
      cache = new ReplayCache(this.#ttl, this.#perIdentityCapacity);
      this.#replays.set(identity, cache);
    }
    if (!this.#identities.take(identity, now)) return 'limited';
    const added = cache.add(challenge, now);
    return added === 'added' ? 'ok' : added;
  }

  /** Remembered challenges in all (for tests and stats). */
  get size(): number {
    return this.#total();
  }

  #total(): number {
    let n = 0;
    for (const cache of this.#replays.values()) n += cache.size;
    return n;
  }

  #expire(now: number): void {
    for (const [identity, cache] of this.#replays) {
      if (!cache.has('', now) && cache.size === 0) this.#replays.delete(identity);
    }
  }
}
