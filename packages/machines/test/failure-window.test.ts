// The time window of the rate breaker as a ring of per-slice counters with running totals: the
// counts it reports equal a naive count over every recorded outcome, for any monotone times.
import type { Clock, TimerHandle } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CountWindow,
  createWindow,
  recordOutcome,
  type TimeWindow,
  timeWindowOf,
  windowCalls,
  windowFailures,
  windowTripsNow,
} from '../src/breaker/failure-window.js';
import { CircuitBreaker, type FailurePolicy } from '../src/index.js';

const policyArb = fc.record({
  kind: fc.constant('time-window' as const),
  windowMs: fc.integer({ min: 10, max: 5000 }),
  buckets: fc.integer({ min: 1, max: 12 }),
  rate: fc.constantFrom(0.25, 0.5, 1),
  minimumCalls: fc.integer({ min: 1, max: 5 }),
});

/** What the window must report: outcomes whose slice is among the last `buckets` at `now`. */
function naive(
  p: Extract<FailurePolicy, { kind: 'time-window' }>,
  seen: readonly { at: number; failed: boolean }[],
  now: number,
): { calls: number; failures: number } {
  const slice = (t: number) => Math.floor(t / (p.windowMs / p.buckets));
  const current = slice(now);
  const inWindow = seen.filter((o) => slice(o.at) > current - p.buckets);
  return { calls: inWindow.length, failures: inWindow.filter((o) => o.failed).length };
}

describe('time window', () => {
  it('reports the calls and failures of its last buckets, as a naive count does (property)', () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.boolean()), { maxLength: 80 }),
        fc.integer({ min: 0, max: 10_000 }),
        (p, steps, later) => {
          const w = createWindow(p) as TimeWindow;
          const seen: { at: number; failed: boolean }[] = [];
          let now = 0;
          for (const [dt, failed] of steps) {
            now += dt;
            recordOutcome(p, w, failed, now);
            seen.push({ at: now, failed });
            const want = naive(p, seen, now);
            expect({ calls: w.totalCalls, failures: w.totalFailures }).toEqual(want);
            expect(windowCalls(p, w, now)).toBe(want.calls);
            expect(windowTripsNow(p, w)).toBe(
              want.calls >= p.minimumCalls && want.failures / want.calls >= p.rate,
            );
          }
          const after = naive(p, seen, now + later);
          expect(windowCalls(p, w, now + later)).toBe(after.calls);
          expect(windowFailures(p, w, now + later)).toBe(after.failures);
        },
      ),
    );
  });

  it('places an outcome at a slice boundary as the naive count does, for widths that do not divide evenly (property)', () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 40 }), fc.constantFrom(-2, -1, 0, 1, 2), fc.boolean()),
          { maxLength: 60 },
        ),
        (p, steps) => {
          const width = p.windowMs / p.buckets;
          const w = createWindow(p) as TimeWindow;
          const seen: { at: number; failed: boolean }[] = [];
          let boundary = 0;
          for (const [ahead, nudge, failed] of steps) {
            boundary += ahead;
            // A slice's end as a product (where rounding bites), or a hair either side of it.
            const end = boundary * width;
            const at = end + nudge * Math.abs(end) * Number.EPSILON;
            if (seen.length > 0 && at < (seen.at(-1)?.at as number)) continue;
            recordOutcome(p, w, failed, at);
            seen.push({ at, failed });
            const want = naive(p, seen, at);
            expect({ calls: w.totalCalls, failures: w.totalFailures }).toEqual(want);
            // Where it was placed shows when it leaves the window: at the ends of later slices.
            for (let later = 1; later <= p.buckets; later++) {
              const t = (boundary + later) * width;
              expect(windowCalls(p, w, t)).toBe(naive(p, seen, t).calls);
            }
          }
        },
      ),
    );
  });

  it('moves to the next slice at exactly the end of a slice on the node clock', async () => {
    const clock = new TestClock();
    const breaker = new CircuitBreaker({
      clock,
      failure: { kind: 'time-window', windowMs: 1000, buckets: 4, rate: 0.75, minimumCalls: 2 },
    });
    await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => {});
    await clock.advance(249);
    await breaker.execute(async () => 1);
    // 250 ms is the end of the first slice: the window of 1 s ends with it 1 s later.
    await clock.advance(1);
    await breaker.execute(async () => 1);
    expect(breaker.stats).toMatchObject({ calls: 3, failures: 1 });
    await clock.advance(749);
    expect(breaker.stats).toMatchObject({ calls: 3, failures: 1 });
    await clock.advance(1);
    expect(breaker.stats).toMatchObject({ calls: 1, failures: 0 });
    expect(breaker.state).toBe('closed');
  });

  it('rebuilds its totals from saved slots, dropping slots outside the window', () => {
    const p: FailurePolicy = {
      kind: 'time-window',
      windowMs: 300,
      buckets: 3,
      rate: 0.5,
      minimumCalls: 1,
    };
    const w = timeWindowOf(p, [7, 3, 8], [2, 5, 1], [1, 5, 0]);
    expect(w.slice).toBe(8);
    expect(w.totalCalls).toBe(3);
    expect(w.totalFailures).toBe(1);
  });
});

const countPolicyArb = fc.integer({ min: 1, max: 12 }).chain((size) =>
  fc.record({
    kind: fc.constant('count-window' as const),
    size: fc.constant(size),
    rate: fc.constantFrom(0.25, 0.5, 1),
    minimumCalls: fc.integer({ min: 1, max: size }),
  }),
);

describe('count window', () => {
  it('reports the calls and failures of its last `size` outcomes and trips as a naive count does (property)', () => {
    fc.assert(
      fc.property(
        countPolicyArb,
        // Runs of successes between failures, so the window is often free of failures too.
        fc.array(fc.oneof(fc.boolean(), fc.constant(false)), { maxLength: 120 }),
        (p, outcomes) => {
          const w = createWindow(p) as CountWindow;
          const seen: boolean[] = [];
          for (const failed of outcomes) {
            recordOutcome(p, w, failed, 0);
            seen.push(failed);
            const last = seen.slice(-p.size);
            const failures = last.filter((f) => f).length;
            expect({ calls: w.calls, failures: w.failures }).toEqual({
              calls: last.length,
              failures,
            });
            // The ring holds exactly the failures it counts.
            expect(w.outcomes.reduce((a, b) => a + b, 0)).toBe(failures);
            expect(windowTripsNow(p, w)).toBe(
              last.length >= p.minimumCalls && failures / last.length >= p.rate,
            );
          }
        },
      ),
    );
  });
});

/** A clock that counts its reads; it stands at `at`. */
class CountingClock implements Clock {
  reads = 0;
  constructor(private readonly at = 0) {}
  now(): number {
    this.reads++;
    return this.at;
  }
  setTimer(_delayMs: number, _fire: () => void): TimerHandle {
    return {};
  }
  clearTimer(_handle: TimerHandle): void {}
}

describe('hot path clock reads', () => {
  const ok = async () => 1;
  const down = () => Promise.reject(new Error('down'));

  it('a closed count-window breaker reads no clock for a success, failures in its window or not', async () => {
    const clock = new CountingClock();
    const breaker = new CircuitBreaker({ clock, failure: { kind: 'count-window', size: 10 } });
    for (let i = 0; i < 20; i++) await breaker.execute(ok);
    expect(clock.reads).toBe(0);
    await breaker.execute(down).catch(() => {});
    const before = clock.reads;
    for (let i = 0; i < 20; i++) await breaker.execute(ok);
    expect(clock.reads).toBe(before);
    expect(breaker.stats).toMatchObject({ state: 'closed', calls: 10, failures: 0 });
  });

  it('a count-window success that trips the breaker reads the clock once, for the time it opens', async () => {
    const clock = new CountingClock(500);
    const breaker = new CircuitBreaker({
      clock,
      failure: { kind: 'count-window', size: 10, rate: 0.5, minimumCalls: 3 },
      openTimeout: { initialMs: 1000 },
    });
    await breaker.execute(down).catch(() => {});
    await breaker.execute(down).catch(() => {});
    const before = clock.reads;
    // Two failures in three calls: the third call, a success, reaches the minimum and trips.
    await breaker.execute(ok);
    expect(clock.reads).toBe(before + 1);
    expect(breaker.state).toBe('open');
    expect(breaker.toJSON().breaker).toMatchObject({ openedAt: 500, retryAt: 1500 });
  });

  it('a closed time-window breaker reads the clock once per success, to place it', async () => {
    const clock = new CountingClock();
    const breaker = new CircuitBreaker({ clock, failure: { kind: 'time-window' } });
    for (let i = 0; i < 20; i++) await breaker.execute(ok);
    expect(clock.reads).toBe(20);
  });

  it('a closed consecutive breaker reads no clock for a success', async () => {
    const clock = new CountingClock();
    const breaker = new CircuitBreaker({ clock, failure: { threshold: 3 } });
    for (let i = 0; i < 20; i++) await breaker.execute(ok);
    expect(clock.reads).toBe(0);
  });
});
