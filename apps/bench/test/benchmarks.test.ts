import { describe, expect, it } from 'vitest';
import { BenchCheckError, expectEqual } from '../src/check.js';
import { rawKit } from '../src/contenders/raw-kit.js';
import { CONTENDERS, type Metric } from '../src/workload.js';
import { SAVINA, WORKLOADS } from '../src/workloads/index.js';
import { timeSavina } from '../src/workloads/savina/savina.js';

// Benchmarks are not tests: this only proves that every workload runs on every contender that
// can express it, at a tiny size, and that wrong results are rejected. No timing is asserted.
const TINY = 0.001;

describe('every workload runs once on every contender', () => {
  for (const workload of WORKLOADS) {
    for (const c of workload.cases(TINY)) {
      for (const contender of CONTENDERS) {
        const run = c.run[contender];
        if (run === undefined) continue;
        it(`${c.id} runs on ${contender} and reports its metrics`, async () => {
          const sample = await run();
          for (const metric of c.metrics as Metric[]) {
            expect(typeof sample[metric.key], metric.key).toBe('number');
            expect(Number.isNaN(sample[metric.key]), metric.key).toBe(false);
          }
        });
      }
    }
  }
});

describe('results are checked', () => {
  it('rejects a wrong count with a BenchCheckError naming it', () => {
    expect(() => expectEqual('ping-pong deliveries', 999, 1000)).toThrow(BenchCheckError);
    expect(() => expectEqual('ping-pong deliveries', 999, 1000)).toThrow(/ping-pong deliveries/);
    expect(() => expectEqual('ping-pong deliveries', 1000, 1000)).not.toThrow();
  });

  for (const bench of SAVINA) {
    it(`savina/${bench.name} rejects a tampered result`, async () => {
      const params = bench.params(TINY);
      bench.prepare?.(params);
      const result = await bench.run(rawKit, params);
      expect(() => bench.check(result, params)).not.toThrow();
      expect(() => bench.check(tamper(result), params)).toThrow(BenchCheckError);
    });
  }

  it('fails a timed Savina run whose check fails', async () => {
    const [first] = SAVINA;
    if (first === undefined) throw new Error('no Savina benchmark');
    const broken = { ...first, check: () => expectEqual('answer', 1, 2) };
    await expect(timeSavina(broken, rawKit, first.params(TINY))).rejects.toThrow(BenchCheckError);
  });
});

/** Changes one number of a result (a count, or the first number in an array or object). */
function tamper(result: unknown): unknown {
  if (typeof result === 'number') return result + 1;
  if (Array.isArray(result)) return [(result[0] as number) + 1, ...result.slice(1)];
  const copy = { ...(result as Record<string, number>) };
  const [key] = Object.keys(copy);
  if (key === undefined) throw new Error('nothing to tamper with');
  copy[key] = (copy[key] as number) + 1;
  return copy;
}
