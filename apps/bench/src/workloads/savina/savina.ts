import type { Kit } from '../../contenders/kit.js';
import { KITS } from '../../contenders/kits.js';
import {
  type Case,
  type ContenderName,
  type Sample,
  TIME_MS,
  type Workload,
} from '../../workload.js';

/**
 * A benchmark of the Savina suite (Imam and Sarkar, 2014), ported from its Akka version onto the
 * `Kit` interface so the same actors run on every contender.
 */
export interface SavinaBenchmark<P, R> {
  /** Savina's short name, e.g. `count`; the case id is `savina/<name>`. */
  readonly name: string;
  readonly title: string;
  /** Savina's defaults at scale 1; the size parameters shrink with `scale`. */
  params(scale: number): P;
  describe(params: P): string;
  /** Messages (or actors) per run, for a rate. */
  ops?(params: P): number;
  /** Work Savina does once before timing (e.g. building a data set); optional. */
  prepare?(params: P): void;
  /** Runs the benchmark once and returns what its actors computed. */
  run(kit: Kit, params: P): Promise<R>;
  /** Throws `BenchCheckError` when `result` is not what the benchmark must compute. */
  check(result: R, params: P): void;
}

// biome-ignore lint/suspicious/noExplicitAny: a list of benchmarks of different parameter types.
export type AnySavinaBenchmark = SavinaBenchmark<any, any>;

/** Times one run of a Savina benchmark on one kit, then checks its result. */
export async function timeSavina<P, R>(
  bench: SavinaBenchmark<P, R>,
  kit: Kit,
  params: P,
): Promise<Sample> {
  bench.prepare?.(params);
  const start = performance.now();
  const result = await bench.run(kit, params);
  const ms = performance.now() - start;
  bench.check(result, params);
  return { ms };
}

export function savinaWorkload(bench: AnySavinaBenchmark): Workload {
  return {
    name: `savina/${bench.name}`,
    title: `Savina ${bench.title}`,
    cases(scale: number): Case[] {
      const params = bench.params(scale);
      const run: Partial<Record<ContenderName, () => Promise<Sample>>> = {};
      for (const kit of KITS) run[kit.contender] = () => timeSavina(bench, kit, params);
      const ops = bench.ops?.(params);
      return [
        {
          id: `savina/${bench.name}`,
          params: bench.describe(params),
          metrics: TIME_MS,
          ...(ops === undefined ? {} : { ops }),
          run,
        },
      ];
    },
  };
}
