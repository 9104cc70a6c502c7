/** A benchmark computed a wrong result: its numbers mean nothing and the run fails. */
export class BenchCheckError extends Error {
  override readonly name = 'BenchCheckError';
}

/** Throws `BenchCheckError` naming `what` unless `actual === expected`. */
export function expectEqual<T>(what: string, actual: T, expected: T): void {
  if (actual !== expected) {
    throw new BenchCheckError(`${what}: expected ${String(expected)}, got ${String(actual)}`);
  }
}
