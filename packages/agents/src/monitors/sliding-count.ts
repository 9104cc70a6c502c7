/**
 * Sums per key over the last `windowMs` of the node's clock. Entries older than the window are
 * dropped as the key is touched, so memory follows the traffic of one window.
 */
export class SlidingCount {
  readonly #windowMs: number;
  readonly #entries = new Map<string, { at: number; amount: number }[]>();
  readonly #sums = new Map<string, number>();

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** Adds `amount` at `now`; returns the key's sum over the window ending at `now`. */
  add(key: string, amount: number, now: number): number {
    const list = this.#entries.get(key) ?? [];
    if (list.length === 0) this.#entries.set(key, list);
    list.push({ at: now, amount });
    this.#sums.set(key, (this.#sums.get(key) ?? 0) + amount);
    return this.sum(key, now);
  }

  sum(key: string, now: number): number {
    const list = this.#entries.get(key);
    if (list === undefined) return 0;
    let sum = this.#sums.get(key) ?? 0;
    while (list.length > 0 && (list[0] as { at: number }).at <= now - this.#windowMs) {
      sum -= (list.shift() as { amount: number }).amount;
    }
    if (list.length === 0) {
      this.#entries.delete(key);
      this.#sums.delete(key);
      return 0;
    }
    this.#sums.set(key, sum);
    return sum;
  }
}
