import { describe, expect, it } from 'vitest';
import { BenchCheckError, expectEqual } from '../src/check.js';
import { rawKit } from '../src/contenders/raw-kit.js';
import { type RawEnvelope, RawFrameReader, rawFrame } from '../src/contenders/raw-tcp.js';
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
        // The distribution cases start a child process and connect real sockets.
        it(`${c.id} runs on ${contender} and reports its metrics`, {
          timeout: 30_000,
        }, async () => {
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

describe('breaker overhead counts the timers armed per call', () => {
  const byId = new Map(WORKLOADS.flatMap((w) => w.cases(TINY)).map((c) => [c.id, c]));

  it('finds none for a closed warden breaker and one for opossum with its default timeout', async () => {
    const configured = byId.get('breaker-overhead')?.run;
    const defaults = byId.get('breaker-overhead/defaults')?.run;
    expect((await configured?.warden?.())?.timers).toBe(0);
    expect((await configured?.opossum?.())?.timers).toBe(0);
    expect((await defaults?.warden?.())?.timers).toBe(0);
    expect((await defaults?.opossum?.())?.timers).toBe(1);
  });
});

describe('raw TCP frames (the distribution baseline)', () => {
  it('cuts a byte stream split anywhere into the envelopes of each frame, in order', () => {
    const envelopes: RawEnvelope[] = [
      [0, ['b', 'raw', 1], { seq: 0 }],
      [0, ['b', 'raw', 1], { seq: 1 }],
      [2, ['b', 'raw', 2], ['a', 'raw', 1], 'r0', { ping: 7 }],
    ];
    const stream = Buffer.concat([
      rawFrame(1, envelopes.slice(0, 2)),
      rawFrame(2, envelopes.slice(2)),
    ]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const seen: RawEnvelope[] = [];
      const reader = new RawFrameReader((e) => seen.push(e));
      reader.push(stream.subarray(0, cut));
      reader.push(stream.subarray(cut));
      expect(seen, `cut at ${cut}`).toEqual(envelopes);
    }
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
