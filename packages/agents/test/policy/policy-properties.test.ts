// Property: random fault schedules on the scripted primary and fallback, random callers (some
// streaming, some forced to call a tool, some aborting). After each run: every accepted call
// ended (an answer, a ModelCallError, or ERR_ABORTED for the callers that aborted), none was
// answered twice, the provider's concurrency limit was never exceeded, and the ladder's level
// always agreed with the breakers.
//
// Replaying a failure: fast-check prints `seed` and `path`; run
//   FC_SEED=<seed> FC_PATH=<path> npx vitest run packages/agents/test/policy/policy-properties.test.ts
import { isWardenError } from '@warden/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createModelPolicy,
  createResilientModel,
  isModelCallError,
  type ModelRequest,
} from '../../src/index.js';
import {
  createScriptedModel,
  type FaultEffect,
  type FaultRule,
  faults,
} from '../../src/testing/index.js';
import { world } from './world.js';

/** As tests/src/properties/replay-params.ts: FC_SEED and FC_PATH replay a printed failure. */
function replayParams<T>(params: fc.Parameters<T>): fc.Parameters<T> {
  const { FC_SEED, FC_PATH } = process.env;
  return {
    ...params,
    ...(FC_SEED !== undefined ? { seed: Number(FC_SEED) } : {}),
    ...(FC_PATH !== undefined ? { path: FC_PATH } : {}),
  };
}

const effect: fc.Arbitrary<FaultEffect> = fc.oneof(
  fc.integer({ min: 0, max: 5000 }).map((ms) => faults.rateLimited(ms)),
  fc.constantFrom(500, 502, 503, 504, 529).map((s) => faults.serverError(s)),
  fc.constant(faults.network()),
  fc.constant(faults.auth()),
  fc.constant(faults.quotaExhausted()),
  fc.constant(faults.badRequest()),
  fc.constant(faults.contentFilter()),
  fc.constant(faults.hang()),
  fc.constant(faults.garbage()),
  fc.integer({ min: 1, max: 3000 }).map((ms) => faults.latency(ms)),
);

const rule: fc.Arbitrary<FaultRule> = fc.record(
  {
    effect,
    fromMs: fc.integer({ min: 0, max: 60_000 }),
    toMs: fc.integer({ min: 0, max: 120_000 }),
    calls: fc.record({ from: fc.nat(20), to: fc.integer({ min: 1, max: 60 }) }),
    probability: fc.double({ min: 0.1, max: 1, noNaN: true }),
  },
  { requiredKeys: ['effect'] },
);

const caller = fc.record({
  atMs: fc.integer({ min: 0, max: 60_000 }),
  stream: fc.boolean(),
  tool: fc.boolean(),
  abortAfterMs: fc.option(fc.integer({ min: 0, max: 30_000 }), { nil: undefined }),
});

interface Outcome {
  settled: number;
  answer?: unknown;
  error?: unknown;
}

describe('model policy (property)', () => {
  it('ends every call once, within the limits, with a level that agrees with the breakers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rule, { maxLength: 4 }),
        fc.array(rule, { maxLength: 3 }),
        fc.array(caller, { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 1000 }),
        async (primaryFaults, fallbackFaults, callers, concurrency, seed) => {
          const w = world();
          try {
            const script = (r: ModelRequest) =>
              r.toolChoice === 'required'
                ? { toolCalls: [{ name: 't', input: {} }] }
                : { text: `answer ${JSON.stringify(r.messages[0]?.content)}` };
            const primary = createScriptedModel({
              clock: w.clock,
              provider: 'p',
              script,
              faults: primaryFaults,
              timeoutMs: 10_000,
              seed,
              contextWindow: 60,
            });
            const fallback = createScriptedModel({
              clock: w.clock,
              provider: 'f',
              script,
              faults: fallbackFaults,
              timeoutMs: 10_000,
              seed: seed + 1,
            });
            let s = seed;
            const policy = createModelPolicy({
              clock: w.clock,
              node: w.node,
              limits: { '*': { concurrency } },
              breaker: {
                failure: { threshold: 2 },
                openTimeout: { initialMs: 5000, maxMs: 20_000 },
              },
              random: () => {
                s = (s * 16807 + 11) % 2147483647;
                return s / 2147483647;
              },
            });
            const model = createResilientModel({
              policy,
              primary,
              fallbacks: [fallback],
              staticAnswer: 'static',
              queue: { deadlineMs: 120_000, replayEveryMs: 5000 },
            });
            const expectedLevel = () => {
              const open = (p: string) => ['open', 'isolated'].includes(policy.breaker(p).state);
              return !open('p') ? 'primary' : !open('f') ? 'fallback-1' : 'cache';
            };
            const outcomes: Outcome[] = callers.map(() => ({ settled: 0 }));
            const aborted = new Set<number>();
            callers.forEach((c, i) => {
              w.clock.setTimer(c.atMs, () => {
                const controller = new AbortController();
                if (c.abortAfterMs !== undefined) {
                  w.clock.setTimer(c.abortAfterMs, () => {
                    aborted.add(i);
                    controller.abort();
                  });
                }
                const request: ModelRequest = {
                  messages: [{ role: 'user', content: [{ type: 'text', text: `call ${i}` }] }],
                  signal: controller.signal,
                  ...(c.tool
                    ? { toolChoice: 'required' as const, tools: [{ name: 't', inputSchema: {} }] }
                    : {}),
                };
                const done = c.stream
                  ? (async () => {
                      const events = [];
                      for await (const e of model.stream(request)) events.push(e);
                      return events;
                    })()
                  : model.generate(request);
                const o = outcomes[i] as Outcome;
                done.then(
                  (answer) => Object.assign(o, { settled: o.settled + 1, answer }),
                  (error: unknown) => Object.assign(o, { settled: o.settled + 1, error }),
                );
              });
            });
            await w.clock.settle();
            for (let step = 0; step < 20_000; step++) {
              expect(model.level).toBe(expectedLevel());
              if (outcomes.every((o) => o.settled > 0) && w.clock.now() > 60_000) break;
              if (!(await w.clock.advanceToNext())) break;
            }
            await w.clock.settle();
            outcomes.forEach((o, i) => {
              expect(o.settled, `call ${i} ended exactly once`).toBe(1);
              if (o.error !== undefined) {
                const typed =
                  isModelCallError(o.error) ||
                  (aborted.has(i) && isWardenError(o.error, 'ERR_ABORTED'));
                expect(typed, `call ${i}: ${String(o.error)}`).toBe(true);
              }
            });
            const answers = new Map<string, number>();
            for (const c of [...primary.calls, ...fallback.calls]) {
              if (c.outcome !== 'answered') continue;
              const key = JSON.stringify(c.request.messages);
              answers.set(key, (answers.get(key) ?? 0) + 1);
            }
            for (const [key, n] of answers) expect(n, `${key} answered by a model`).toBe(1);
            expect(primary.maxInFlight).toBeLessThanOrEqual(concurrency);
            expect(fallback.maxInFlight).toBeLessThanOrEqual(concurrency);
            expect(model.queued).toBe(0);
          } finally {
            await w.stop();
          }
        },
      ),
      replayParams({ numRuns: Number(process.env.FC_RUNS ?? 60) }),
    );
  }, 120_000);
});
