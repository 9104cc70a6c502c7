import { CircuitBreaker } from '@warden/machines';
import {
  type CircuitBreakerPolicy,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
} from 'cockatiel';
import Opossum from 'opossum';
import { expectEqual } from '../check.js';
import type { Case, Metric, Sample, Workload } from '../workload.js';
import { scaled } from '../workload.js';

/**
 * The cost a closed circuit breaker adds to a call. The call is an async function whose promise
 * is already resolved (`await op()` costs one async frame and one await), so what is measured is
 * the breaker's own bookkeeping. Each run times N bare calls (`await op()`), N calls through the
 * breaker, then N bare calls again, and reports the breaker's ns per call and the ns it adds over
 * the mean of the two bare loops of that run (raw's middle loop is bare too: its `added` is the
 * noise of the method). It also counts the timers armed per call (global
 * `setTimeout` and `setInterval`, over an untimed pass).
 *
 * - `breaker-overhead`: warden's `CircuitBreaker.execute` (consecutive-failures policy, no call
 *   timeout); cockatiel's `circuitBreaker(handleAll, { breaker: new ConsecutiveBreaker(5) })`;
 *   opossum with `timeout: false` (no timer per call).
 * - `breaker-overhead/defaults`: each breaker as constructed without options (cockatiel has no
 *   default breaker): warden's defaults have no call timeout; opossum's arm a 10 s timeout timer
 *   on every call.
 * - `breaker-overhead/count-window`, `breaker-overhead/time-window`: warden's other two failure
 *   policies (the last 20 calls; the last 60 s in 10 buckets), so every policy has its number.
 *
 * Each contender has its own loop function, so no call site is shared (and made polymorphic)
 * between them.
 */
export const breakerOverhead: Workload = {
  name: 'breaker-overhead',
  title: 'Circuit breaker overhead: a closed breaker around an already-resolved async call',
  cases(scale: number): Case[] {
    const n = scaled(1_000_000, scale, 100);
    const probe = Math.min(n, 10_000);
    return [
      {
        id: 'breaker-overhead',
        params: `${n} calls; warden consecutive(5), cockatiel ConsecutiveBreaker(5), opossum timeout: false`,
        metrics: METRICS,
        ops: n,
        run: {
          raw: () => measure(n, probe, () => bareLoop),
          warden: () =>
            measure(
              n,
              probe,
              wardenLoop(() => ({ failure: { threshold: 5 } })),
            ),
          cockatiel: () => measure(n, probe, cockatielLoop),
          opossum: () => measure(n, probe, opossumLoop({ timeout: false })),
        },
      },
      {
        id: 'breaker-overhead/defaults',
        params: `${n} calls; each breaker with its default options`,
        metrics: METRICS,
        ops: n,
        run: {
          raw: () => measure(n, probe, () => bareLoop),
          warden: () =>
            measure(
              n,
              probe,
              wardenLoop(() => ({})),
            ),
          opossum: () => measure(n, probe, opossumLoop({})),
        },
      },
      {
        id: 'breaker-overhead/count-window',
        params: `${n} calls; warden count-window (size 20, rate 0.5, minimumCalls 10)`,
        metrics: METRICS,
        ops: n,
        run: {
          raw: () => measure(n, probe, () => bareLoop),
          warden: () =>
            measure(
              n,
              probe,
              wardenLoop(() => ({ failure: { kind: 'count-window', size: 20 } })),
            ),
        },
      },
      {
        id: 'breaker-overhead/time-window',
        params: `${n} calls; warden time-window (60 s in 10 buckets, rate 0.5, minimumCalls 10)`,
        metrics: METRICS,
        ops: n,
        run: {
          raw: () => measure(n, probe, () => bareLoop),
          warden: () =>
            measure(
              n,
              probe,
              wardenLoop(() => ({
                failure: { kind: 'time-window', windowMs: 60_000, buckets: 10 },
              })),
            ),
        },
      },
    ];
  },
};

const METRICS: readonly Metric[] = [
  { key: 'ns', unit: 'ns', label: 'per call' },
  { key: 'added', unit: 'ns', label: 'added' },
  { key: 'timers', unit: 'timers/call', label: 'timers' },
];

const ANSWER = 42;

/** The protected call: an async function, so its promise is already resolved when returned. */
async function op(): Promise<number> {
  return ANSWER;
}

/** `n` calls one after the other; resolves with the sum of their results. */
type Loop = (n: number) => Promise<number>;

/** Builds a fresh breaker (outside the timed region) and its loop; `dispose` ends the breaker. */
type Contender = () => Loop & { dispose?: () => void };

async function bareLoop(n: number): Promise<number> {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await op();
  return sum;
}

function wardenLoop(options: () => ConstructorParameters<typeof CircuitBreaker>[0]): Contender {
  return () => {
    const breaker = new CircuitBreaker(options());
    const loop = async (n: number): Promise<number> => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += await breaker.execute(op);
      expectEqual('warden breaker state', breaker.state, 'closed');
      return sum;
    };
    return Object.assign(loop, { dispose: () => breaker.dispose() });
  };
}

function cockatielLoop(): Loop {
  const policy: CircuitBreakerPolicy = circuitBreaker(handleAll, {
    halfOpenAfter: 10_000,
    breaker: new ConsecutiveBreaker(5),
  });
  return async (n: number): Promise<number> => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await policy.execute(op);
    return sum;
  };
}

function opossumLoop(options: Opossum.Options): Contender {
  return () => {
    const breaker = new Opossum(op, { ...options });
    const loop = async (n: number): Promise<number> => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += await breaker.fire();
      expectEqual('opossum breaker closed', breaker.closed, true);
      return sum;
    };
    return Object.assign(loop, { dispose: () => breaker.shutdown() });
  };
}

/** Runs `loop` over `n` calls; returns ns per call, after checking every result arrived. */
async function timed(loop: Loop, n: number): Promise<number> {
  const start = performance.now();
  const sum = await loop(n);
  const ns = ((performance.now() - start) * 1e6) / n;
  expectEqual('sum of the results', sum, ANSWER * n);
  return ns;
}

/** Timers armed per call by `loop` (global setTimeout and setInterval), over `n` calls. */
async function timersPerCall(loop: Loop, n: number): Promise<number> {
  // Let the caller finish its synchronous part first: the suite arms its run timeout there.
  await Promise.resolve();
  const g = globalThis as unknown as Record<'setTimeout' | 'setInterval', unknown>;
  const saved = { setTimeout: g.setTimeout, setInterval: g.setInterval };
  let armed = 0;
  for (const name of ['setTimeout', 'setInterval'] as const) {
    const original = saved[name] as (...args: unknown[]) => unknown;
    g[name] = (...args: unknown[]) => {
      armed++;
      return original(...args);
    };
  }
  try {
    expectEqual('sum of the results', await loop(n), ANSWER * n);
  } finally {
    g.setTimeout = saved.setTimeout;
    g.setInterval = saved.setInterval;
  }
  return armed / n;
}

async function measure(n: number, probe: number, contender: Contender): Promise<Sample> {
  const loop = contender();
  try {
    const timers = await timersPerCall(loop, probe);
    const before = await timed(bareLoop, n);
    const ns = await timed(loop, n);
    const after = await timed(bareLoop, n);
    // For raw, the middle loop is a third bare loop: its `added` shows the method's noise.
    return { ns, added: ns - (before + after) / 2, timers };
  } finally {
    loop.dispose?.();
  }
}
