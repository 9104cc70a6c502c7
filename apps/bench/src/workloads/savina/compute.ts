import { BenchCheckError } from '../../check.js';

/**
 * Savina's `performComputation`: a little floating-point work per message. `theta` arrives in a
 * message field so the compiler cannot fold it to a constant.
 */
export function performComputation(theta: number): void {
  const sint = Math.sin(theta);
  const res = sint * sint;
  // Defeats dead-code elimination, as in Savina.
  if (res <= 0) throw new BenchCheckError(`unrealistic result ${res}`);
}
