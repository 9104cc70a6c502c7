// Property: random interleavings of requests, outages, recoveries, flaky answers, store writes
// that fail, and restarts (a new ladder, with a random capacity, on the same store), with a
// synchronous or an asynchronous store. Once the primary is healthy for good: every accepted
// request was answered exactly once (to its caller, or after a restart to onReplayed), none
// twice; a refused one never ran and is not in the store; the store is empty; and the queued
// requests were answered in the order the store took them.
//
// Replaying a failure: fast-check prints `seed` and `path`; run
//   FC_SEED=<seed> FC_PATH=<path> npx vitest run packages/resilience/test/durable-ladder-properties.test.ts
import { TestClock } from '@warden/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DegradationLadder,
  isResilienceError,
  MemoryQueueStore,
  type QueuedRequest,
  type QueueStore,
} from '../src/index.js';
import { FakeBreaker } from './fake-breaker.js';

/** As tests/src/properties/replay-params.ts: FC_SEED and FC_PATH replay a printed failure. */
function replayParams<T>(params: fc.Parameters<T>): fc.Parameters<T> {
  const { FC_SEED, FC_PATH } = process.env;
  return {
    ...params,
    ...(FC_SEED !== undefined ? { seed: Number(FC_SEED) } : {}),
    ...(FC_PATH !== undefined ? { path: FC_PATH } : {}),
  };
}

type Command =
  | { readonly kind: 'request' | 'outage' | 'recover' | 'fail-put' }
  | { readonly kind: 'flaky'; readonly times: number }
  | { readonly kind: 'restart'; readonly capacity: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'request' as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'outage' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'recover' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'fail-put' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('flaky' as const),
      times: fc.integer({ min: 1, max: 4 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('restart' as const),
      capacity: fc.integer({ min: 1, max: 5 }),
    }),
  },
);

/** Time a step is given; every store call finishes well within it. */
const STEP_MS = 50;

describe('durable ladder queue: properties', () => {
  it('answers every accepted request exactly once, in order, across restarts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(command, { minLength: 1, maxLength: 60, size: 'max' }),
        fc.boolean(),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.option(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 8 }), {
          nil: undefined,
        }),
        async (commands, startOpen, firstCapacity, maxReplays, delays) => {
          const clock = new TestClock();
          const inner = new MemoryQueueStore<string>();
          const putOrder: string[] = [];
          let failNextPut = false;
          let call = 0;
          /** Synchronous, or each call finishing after a delay on the clock (`delays`, cycled). */
          const run = <T>(op: () => T): T | Promise<T> =>
            delays === undefined
              ? op()
              : new Promise<T>((resolve, reject) =>
                  clock.setTimer(delays[call++ % delays.length] as number, () => {
                    try {
                      resolve(op());
                    } catch (error) {
                      reject(error);
                    }
                  }),
                );
          const store: QueueStore<string> = {
            put: (item: QueuedRequest<string>) =>
              run(() => {
                if (failNextPut && item.replays === 0) {
                  failNextPut = false;
                  throw new Error('disk full');
                }
                if (!putOrder.includes(item.request)) putOrder.push(item.request);
                inner.put(item);
              }),
            delete: (id) => run(() => inner.delete(id)),
            list: () => run(() => inner.list()),
            size: () => inner.size(),
          };

          const primary = new FakeBreaker();
          if (startOpen) primary.set('open');
          let flaky = 0;
          const served: string[] = []; // successful serves, in order
          const outcomes = new Map<string, string[]>();
          const answer = (q: string, how: string): void => {
            outcomes.set(q, [...(outcomes.get(q) ?? []), how]);
          };
          const accepted = new Set<string>();
          const refused = new Map<string, string>(); // request -> the refusal's code

          const start = (queueCapacity: number) =>
            new DegradationLadder<string, string>({
              clock,
              store,
              queueCapacity,
              maxReplays,
              onReplayed: (r) => answer(r.request, r.ok ? 'replayed' : 'replayed-failed'),
              levels: [
                {
                  name: 'primary',
                  health: primary,
                  serve: (q) => {
                    if (flaky > 0) {
                      flaky--;
                      throw new Error('flaky');
                    }
                    served.push(q);
                    return `P(${q})`;
                  },
                },
                { name: 'later', queue: true },
              ],
            });
          const restore = async (ladder: DegradationLadder<string, string>) => {
            const restored = ladder.restore();
            await clock.advance(STEP_MS);
            await restored;
          };

          let ladder = start(firstCapacity);
          await restore(ladder);
          let next = 1;
          for (const c of commands) {
            if (c.kind === 'request') {
              const q = `r${next++}`;
              ladder.execute(q).then(
                (s) => {
                  accepted.add(q);
                  if (!s.queued) return answer(q, 'direct');
                  s.result.then(
                    () => answer(q, 'caller'),
                    (e: unknown) => {
                      // a closing ladder's notice, not an outcome: the store still holds it
                      if (!isResilienceError(e, 'ERR_CLOSED')) answer(q, 'handed-back');
                    },
                  );
                },
                (e: unknown) => refused.set(q, isResilienceError(e) ? e.code : String(e)),
              );
            } else if (c.kind === 'outage') primary.set('open');
            else if (c.kind === 'recover') primary.set('closed');
            else if (c.kind === 'fail-put') failNextPut = true;
            else if (c.kind === 'flaky') flaky = c.times;
            else if (c.kind === 'restart') {
              ladder.close(); // a graceful restart: writes begun still finish
              await clock.advance(STEP_MS);
              ladder = start(c.capacity);
              await restore(ladder);
            }
            await clock.advance(STEP_MS);
          }

          // healthy for good: every recovery replays the whole queue
          flaky = 0;
          failNextPut = false;
          for (let i = 0; i < 3 && (ladder.queued > 0 || inner.size() > 0); i++) {
            primary.set('open');
            primary.set('closed');
            for (let j = 0; j < 20 && (ladder.queued > 0 || inner.size() > 0); j++)
              await clock.advance(STEP_MS);
          }

          const total = next - 1;
          expect(accepted.size + refused.size).toBe(total);
          expect(ladder.queued).toBe(0);
          expect(inner.size()).toBe(0);
          for (const q of accepted) expect([q, outcomes.get(q)?.length]).toEqual([q, 1]);
          for (const [q, code] of refused) {
            expect(['ERR_DEGRADED', 'ERR_STORE_FAILED']).toContain(code);
            expect(outcomes.get(q)).toBeUndefined();
            expect(served).not.toContain(q);
          }
          const queuedServes = served.filter((q) => putOrder.includes(q));
          expect(new Set(queuedServes).size).toBe(queuedServes.length);
          const inStoreOrder = [...queuedServes].sort(
            (a, b) => putOrder.indexOf(a) - putOrder.indexOf(b),
          );
          expect(queuedServes).toEqual(inStoreOrder);
          ladder.close();
        },
      ),
      replayParams({ numRuns: Number(process.env.FC_RUNS ?? 300) }),
    );
  }, 120_000);
});
