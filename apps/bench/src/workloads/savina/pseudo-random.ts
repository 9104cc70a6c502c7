/**
 * Savina's `PseudoRandom`: a 16-bit linear congruential generator, the same in every language
 * port so that runs are comparable.
 */
export class PseudoRandom {
  #value: number;

  constructor(seed = 74755) {
    this.#value = seed;
  }

  nextLong(): number {
    this.#value = (this.#value * 1309 + 13849) & 65535;
    return this.#value;
  }

  nextInt(exclusiveMax?: number): number {
    const next = this.nextLong();
    return exclusiveMax === undefined ? next : next % exclusiveMax;
  }
}
