const MULTIPLIER_HI = 0x5de; // 0x5DEECE66D split at bit 24
const MULTIPLIER_LO = 0xece66d;
const ADDEND = 0xb;
const TWO_24 = 0x1000000;
const TWO_31 = 0x80000000;

/**
 * `java.util.Random`, bit for bit: the 48-bit linear congruential generator, kept as two 24-bit
 * halves so every product stays an exact double. Savina's Java code seeds it; the ports and their
 * checks replay the same sequences.
 */
export class JavaRandom {
  #hi: number;
  #lo: number;

  /** `new Random(seed)` for a seed in [0, 2^48). */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 48) {
      throw new RangeError(`JavaRandom seed must be an integer in [0, 2^48), got ${seed}`);
    }
    this.#lo = (seed % TWO_24) ^ MULTIPLIER_LO;
    this.#hi = Math.floor(seed / TWO_24) ^ MULTIPLIER_HI;
  }

  /** `next(bits)`: advances the seed and returns its top `bits` bits as a Java int. */
  next(bits: number): number {
    const hi = this.#hi;
    const lo = this.#lo;
    const low = lo * MULTIPLIER_LO + ADDEND;
    const carry = Math.floor(low / TWO_24);
    this.#lo = low - carry * TWO_24;
    this.#hi = (hi * MULTIPLIER_LO + lo * MULTIPLIER_HI + carry) % TWO_24;
    return Math.floor((this.#hi * TWO_24 + this.#lo) / 2 ** (48 - bits)) | 0;
  }

  /** `nextInt()`: any int. */
  nextInt(): number;
  /** `nextInt(bound)`: uniform in [0, bound). */
  nextInt(bound: number): number;
  nextInt(bound?: number): number {
    if (bound === undefined) return this.next(32);
    if (!(bound > 0)) throw new RangeError(`bound must be positive, got ${bound}`);
    let r = this.next(31);
    const m = bound - 1;
    if ((bound & m) === 0) return Math.floor(r / (TWO_31 / bound));
    for (let u = r; ((u - (r = u % bound) + m) | 0) < 0; u = this.next(31));
    return r;
  }

  /** `nextDouble()`: uniform in [0, 1) with 53 random bits. */
  nextDouble(): number {
    return (this.next(26) * 2 ** 27 + this.next(27)) * 2 ** -53;
  }
}
