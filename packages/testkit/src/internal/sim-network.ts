import { createInMemoryNetwork, type InMemoryNetwork, type Transport } from '@warden/core';
import { faultTransport } from './fault-transport.js';
import type { SimClock } from './sim-clock.js';

interface LinkWindow {
  readonly from: string;
  readonly to: string;
  readonly ms: number;
  readonly until: number;
}

/**
 * The in-memory network of a run, with the schedule's hands on it: partitions, slow links, and
 * a seeded jitter of 0..`jitterMs` per envelope between nodes (per-pair order kept).
 */
export class SimNetwork {
  readonly #network: InMemoryNetwork = createInMemoryNetwork();
  readonly #clock: SimClock;
  readonly #random: () => number;
  readonly #jitterMs: number;
  #links: LinkWindow[] = [];

  constructor(clock: SimClock, random: () => number, jitterMs: number) {
    this.#clock = clock;
    this.#random = random;
    this.#jitterMs = jitterMs;
  }

  transport(): Transport {
    return faultTransport(this.#network.transport(), this.#clock, (from, to) =>
      this.#delay(from, to),
    );
  }

  partition(a: readonly string[], b: readonly string[]): void {
    this.#network.partition(a, b);
  }

  heal(a?: readonly string[], b?: readonly string[]): void {
    this.#network.heal(a, b);
  }

  slow(from: string, to: string, ms: number, forMs: number): void {
    this.#links.push({ from, to, ms, until: this.#clock.now() + forMs });
  }

  /** Every partition healed, every slow link fast again. */
  healAll(): void {
    this.#links = [];
    this.#network.heal();
  }

  #delay(from: string, to: string): number {
    let ms = 0;
    if (this.#links.length > 0) {
      const now = this.#clock.now();
      this.#links = this.#links.filter((l) => l.until > now);
      for (const l of this.#links) if (l.from === from && l.to === to) ms = Math.max(ms, l.ms);
    }
    return this.#jitterMs > 0 ? ms + Math.floor(this.#random() * (this.#jitterMs + 1)) : ms;
  }
}
