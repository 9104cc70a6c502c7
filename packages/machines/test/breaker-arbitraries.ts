import fc from 'fast-check';
import type { BreakerPolicyOptions } from '../src/index.js';

/** Small, varied breaker policies: every failure policy, 1-3 trials, growing timeouts. */
export function policyOptions(
  jitter: fc.Arbitrary<number> = fc.constant(0),
): fc.Arbitrary<BreakerPolicyOptions> {
  const failure = fc.oneof(
    fc.record({
      kind: fc.constant('consecutive' as const),
      threshold: fc.integer({ min: 1, max: 5 }),
    }),
    fc.integer({ min: 1, max: 8 }).chain((size) =>
      fc.record({
        kind: fc.constant('count-window' as const),
        size: fc.constant(size),
        minimumCalls: fc.integer({ min: 1, max: size }),
        rate: fc.constantFrom(0.25, 0.3, 0.5, 0.75, 1),
      }),
    ),
    fc.record({
      kind: fc.constant('time-window' as const),
      windowMs: fc.integer({ min: 100, max: 5000 }),
      buckets: fc.integer({ min: 1, max: 5 }),
      minimumCalls: fc.integer({ min: 1, max: 5 }),
      rate: fc.constantFrom(0.25, 0.3, 0.5, 0.75, 1),
    }),
  );
  const halfOpen = fc.integer({ min: 1, max: 3 }).chain((trialCalls) =>
    fc.record({
      trialCalls: fc.constant(trialCalls),
      successesToClose: fc.integer({ min: 1, max: trialCalls }),
    }),
  );
  // Round values from a few scales, so boundaries (a timeout ending exactly when a call lands,
  // a closed period exactly as long as resetAfterMs) come up often.
  const openTimeout = fc
    .oneof(fc.constantFrom(10, 100, 1000), fc.integer({ min: 10, max: 2000 }))
    .chain((initialMs) =>
      fc.record({
        initialMs: fc.constant(initialMs),
        maxMs: fc.oneof(
          fc.constant(initialMs * 4),
          fc.integer({ min: initialMs, max: initialMs * 10 }),
        ),
        multiplier: fc.constantFrom(1, 1.5, 2, 3),
        jitter,
        resetAfterMs: fc.oneof(
          fc.constantFrom(0, 10, 100, 1000),
          fc.integer({ min: 0, max: 5000 }),
        ),
      }),
    );
  return fc.record({
    failure,
    halfOpen,
    openTimeout,
    callTimeoutMs: fc.oneof(fc.constantFrom(10, 100), fc.integer({ min: 10, max: 1000 })),
  });
}
