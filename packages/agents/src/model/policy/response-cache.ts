import { createHash } from 'node:crypto';
import type { Clock } from '@warden/core';
import type { ModelRequest } from '../model-request.js';
import type { ModelResponse } from '../model-response.js';
import { MODEL_POLICY_DEFAULTS } from './failure-handling.js';
import { checkClock, checkInt, checkNumber } from './option-checks.js';
import { hasLeaves, plainLeaves } from './request-leaves.js';
import { requestText } from './request-text.js';

export interface ResponseCacheOptions {
  readonly clock: Clock;
  /** Answers kept; the least recently used goes first. Default 1000. */
  readonly maxEntries?: number;
  /** How long an answer may be served from the cache. Default one hour. */
  readonly ttlMs?: number;
}

/**
 * What a request means to a model, hashed: the conversation, tools and sampling settings, never
 * the signal. Two requests with the same key would be answered alike. `undefined` for a request
 * that has no canonical form (such a request is never cached).
 */
export function requestKey(request: ModelRequest): string | undefined {
  const text = requestText(request);
  return text === undefined ? undefined : sha256(text);
}

/** Keys up to this length are the canonical text itself; longer ones are hashed (bounded memory). */
const RAW_KEY_MAX = 512;

/**
 * The cache's own key, made for every answer: the canonical text of a short request as it is
 * (equal texts, equal keys, and no hash to compute), the `requestKey` of a long one. The two
 * never meet: a text starts with `{`, a hash never does.
 */
function cacheKey(request: ModelRequest): string | undefined {
  const text = requestText(request);
  if (text === undefined || text.length <= RAW_KEY_MAX) return text;
  return sha256(text);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

interface Entry {
  response: ModelResponse;
  expiresAt: number;
}

/**
 * Earlier answers of the models, keyed by the request's canonical form (as `requestKey`): a
 * rung of the degradation ladder, so an agent asking what it asked before gets the earlier
 * answer while the models are down. Bounded (LRU) and aged on the node's clock.
 */
export class ResponseCache {
  readonly maxEntries: number;
  readonly ttlMs: number;
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();
  /**
   * The most recently used entry and its key. Storing again under that key only refreshes the
   * entry: it is already last in the order, so the map is not touched (no hashing of the key).
   */
  #newestKey: string | undefined;
  #newest: Entry | undefined;
  /**
   * The leaves of the newest entry's request (`plainLeaves`), once it has been stored twice in a
   * row: a request with the same leaves has the same key, found without writing the text.
   */
  #newestLeaves: unknown[] | undefined;

  constructor(options: ResponseCacheOptions) {
    const d = MODEL_POLICY_DEFAULTS.cache;
    this.#clock = checkClock('clock', options?.clock);
    this.maxEntries = checkInt('cache.maxEntries', options.maxEntries ?? d.maxEntries, 1);
    this.ttlMs = checkNumber('cache.ttlMs', options.ttlMs ?? d.ttlMs, 0);
  }

  get size(): number {
    return this.#entries.size;
  }

  get(request: ModelRequest): ModelResponse | undefined {
    const key = cacheKey(request);
    if (key === undefined) return undefined;
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= this.#clock.now()) {
      if (entry === this.#newest) this.#newestKey = this.#newest = this.#newestLeaves = undefined;
      return undefined;
    }
    this.#entries.set(key, entry); // most recently used last
    if (entry !== this.#newest) this.#newestLeaves = undefined;
    this.#newestKey = key;
    this.#newest = entry;
    return entry.response;
  }

  set(request: ModelRequest, response: ModelResponse): void {
    const newest = this.#newest;
    const leaves = this.#newestLeaves;
    if (newest !== undefined && leaves !== undefined && hasLeaves(request, leaves)) {
      // the request stored last, again: its key is the newest key, unwritten
      newest.response = response;
      newest.expiresAt = this.#clock.now() + this.ttlMs;
      return;
    }
    const key = cacheKey(request);
    if (key === undefined) return;
    const expiresAt = this.#clock.now() + this.ttlMs;
    if (newest !== undefined && key === this.#newestKey) {
      newest.response = response;
      newest.expiresAt = expiresAt;
      // asked again: the next time, it is recognised by its leaves
      this.#newestLeaves ??= plainLeaves(request);
      return;
    }
    const entry: Entry = { response, expiresAt };
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.#newestKey = key;
    this.#newest = entry;
    this.#newestLeaves = undefined;
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }
}
