// Issue 5, property tests: a token bucket never gives out more than rate x time + burst, over
// any stretch of time, whatever the schedule of requests (immediate, waiting, aborted, several
// tokens at once) on the TestClock.
import { TestClock } from '@warden/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isResilienceError, TokenBucket } from '../src/index.js';

type Request =
  | { readonly kind: 'try'; readonly afterMs: number; readonly n: number }
  | {
      readonly kind: 'take';
      readonly afterMs: number;
      readonly maxWaitMs: number;
      /** Aborts the wait this long after asking (never, when undefined). */
      readonly abortAfterMs: number | undefined;
    };

const request: fc.Arbitrary<Request> = fc.oneof(
  fc.record({
    kind: fc.constant('try' as const),
    afterMs: fc.integer({ min: 0, max: 700 }),
    n: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({
    kind: fc.constant('take' as const),
    afterMs: fc.integer({ min: 0, max: 700 }),
    maxWaitMs: fc.integer({ min: 0, max: 3000 }),
    abortAfterMs: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined }),
  }),
);

const EPSILON = 1e-6;

describe('TokenBucket (property)', () => {
  it('never grants more than rate x time + burst in any window, and settles every request', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 200 }).map((tenths) => tenths / 10), // 0.1 .. 20 tokens/s
        fc.integer({ min: 1, max: 8 }),
        fc.array(request, { minLength: 1, maxLength: 40 }),
        async (ratePerSecond, burst, requests) => {
          const clock = new TestClock();
          const bucket = new TokenBucket({ clock, ratePerSecond, burst, maxQueue: 1000 });
          /** Every grant: when, and how many tokens. */
          const grants: { at: number; n: number }[] = [];
          let settled = 0;
          for (const r of requests) {
            await clock.advance(r.afterMs);
            if (r.kind === 'try') {
              if (bucket.tryTake(r.n)) grants.push({ at: clock.now(), n: r.n });
              settled++;
              continue;
            }
            const controller = new AbortController();
            if (r.abortAfterMs !== undefined) {
              clock.setTimer(r.abortAfterMs, () => controller.abort());
            }
            bucket.take({ signal: controller.signal, maxWaitMs: r.maxWaitMs }).then(
              () => {
                grants.push({ at: clock.now(), n: 1 });
                settled++;
              },
              (error: unknown) => {
                expect(
                  isResilienceError(error, 'ERR_RATE_LIMITED') ||
                    isResilienceError(error, 'ERR_ABORTED'),
                ).toBe(true);
                settled++;
              },
            );
          }
          // Long enough for every admitted waiter to be served (each waits at most maxWaitMs).
          await clock.advance(3000 + 2000);
          expect(settled).toBe(requests.length);
          expect(bucket.queued).toBe(0);
          // Over any window [from, to] the grants never exceed burst + rate * (to - from).
          for (let i = 0; i < grants.length; i++) {
            let inWindow = 0;
            for (let j = i; j < grants.length; j++) {
              const from = (grants[i] as { at: number }).at;
              const to = (grants[j] as { at: number }).at;
              inWindow += (grants[j] as { n: number }).n;
              expect(inWindow).toBeLessThanOrEqual(
                burst + (ratePerSecond * (to - from)) / 1000 + EPSILON,
              );
            }
          }
          // and from the start: the bucket starts full, so burst + rate * t at every instant
          let total = 0;
          for (const g of grants) {
            total += g.n;
            expect(total).toBeLessThanOrEqual(burst + (ratePerSecond * g.at) / 1000 + EPSILON);
          }
          expect(bucket.tokens).toBeLessThanOrEqual(burst);
          expect(bucket.tokens).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
