import type { Attributes } from '@opentelemetry/api';

/**
 * Running sums by attribute set, read when a reader collects. Recording through the SDK hashes
 * the attribute set on every call; a tally keyed by a short string costs a map lookup instead,
 * and its sums are reported as cumulative observable counters.
 */
export class Tally {
  readonly #sums = new Map<string, { readonly attributes: Attributes; value: number }>();

  /** Adds `n` under `key`; `attributes` builds the set the first time the key is seen. */
  add(key: string, n: number, attributes: () => Attributes): void {
    const sum = this.#sums.get(key);
    if (sum === undefined) this.#sums.set(key, { attributes: attributes(), value: n });
    else sum.value += n;
  }

  *entries(): IterableIterator<{ readonly attributes: Attributes; readonly value: number }> {
    yield* this.#sums.values();
  }
}
