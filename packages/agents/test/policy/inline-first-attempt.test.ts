// Property: a call's first attempt made inline (the fast path of a call that answers) is
// observably the general path. The same random schedule (faults on the scripted primary and
// fallback, callers at random times, some aborting, some streaming, some calling the policy
// without the ladder, some with no signal, the node stopping or not) runs twice on a TestClock:
// once as the policy runs by default, once with every call through the retry's `execute`. Both
// runs must give the same answers and errors (kind, code, message) at the same virtual times,
// publish the same events at the same virtual times, make the same model calls (when, how they
// ended) and end at the same virtual time. Events of one instant are compared as a set: calls
// ending at the same instant publish in the order their promises settle, which no path promises.
// For the same reason the policy's random source gives one value per run (drawn per scenario).
//
// Replaying a failure: fast-check prints `seed` and `path`; run
//   FC_SEED=<seed> FC_PATH=<path> npx vitest run packages/agents/test/policy/inline-first-attempt.test.ts
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createModelPolicy,
  createResilientModel,
  ModelCallError,
  type ModelClient,
  type ModelPolicyOptions,
  type ModelRequest,
} from '../../src/index.js';
import { onGeneralPath } from '../../src/model/internal/general-path.js';
import {
  createScriptedModel,
  type FaultEffect,
  type FaultRule,
  faults,
} from '../../src/testing/index.js';
import { ask, world } from './world.js';

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
  fc.constant(faults.rateLimited()),
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

const caller: fc.Arbitrary<Caller> = fc.record({
  atMs: fc.integer({ min: 0, max: 60_000 }),
  how: fc.constantFrom<Caller['how']>('generate', 'generate', 'generate', 'stream', 'policy'),
  signal: fc.boolean(),
  abortAfterMs: fc.option(fc.integer({ min: 0, max: 30_000 }), { nil: undefined }),
  /** Asks what an earlier caller asked (the cache can answer it). */
  repeats: fc.boolean(),
});

interface Caller {
  readonly atMs: number;
  readonly how: 'generate' | 'stream' | 'policy';
  readonly signal: boolean;
  readonly abortAfterMs: number | undefined;
  readonly repeats: boolean;
}

interface Scenario {
  readonly primaryFaults: FaultRule[];
  readonly fallbackFaults: FaultRule[];
  readonly callers: readonly Caller[];
  readonly concurrency: number;
  readonly deadlineMs: number;
  readonly stopAtMs: number | undefined;
  readonly seed: number;
  /** What the policy's random source gives, every time. */
  readonly draw: number;
}

/** What one run shows from outside: it must not depend on the path a call took. */
interface Trace {
  readonly outcomes: unknown[];
  readonly events: unknown[];
  readonly calls: unknown[];
  readonly endedAt: number;
}

/**
 * The events in order of virtual time; those of one instant as a sorted list. Calls that end at
 * the same instant publish in the order their promises settle, which depends on how many
 * promise steps each path takes (fewer inline): no order between them is promised, so none is
 * compared. Each event itself (its time, its source, its data) is.
 */
function byInstant(events: readonly object[]): string[][] {
  const instants: string[][] = [];
  let time: unknown;
  for (const event of events) {
    const at = (event as { time?: unknown }).time;
    if (instants.length === 0 || at !== time) instants.push([]);
    time = at;
    (instants[instants.length - 1] as string[]).push(JSON.stringify(event));
  }
  return instants.map((instant) => instant.sort());
}

function errorOf(error: unknown): unknown {
  const e = error as { name?: unknown; code?: unknown; kind?: unknown; message?: unknown };
  return { name: e?.name, code: e?.code, kind: e?.kind, message: e?.message };
}

async function run(s: Scenario, general: boolean): Promise<Trace> {
  const w = world();
  try {
    const script = (r: ModelRequest) => ({ text: `answer ${JSON.stringify(r.messages)}` });
    const primary = createScriptedModel({
      clock: w.clock,
      provider: 'p',
      script,
      faults: s.primaryFaults,
      timeoutMs: 10_000,
      seed: s.seed,
    });
    const fallback = createScriptedModel({
      clock: w.clock,
      provider: 'f',
      script,
      faults: s.fallbackFaults,
      timeoutMs: 10_000,
      seed: s.seed + 1,
    });
    const options: ModelPolicyOptions = {
      clock: w.clock,
      node: w.node,
      signal: w.node.signal,
      limits: { '*': { concurrency: s.concurrency } },
      retry: { deadlineMs: s.deadlineMs },
      breaker: { failure: { threshold: 2 }, openTimeout: { initialMs: 5000, maxMs: 20_000 } },
      // one draw for the whole run: calls of one instant draw (jitter, the spread after a pause)
      // in the order their promises settle, which no path promises; a source whose values
      // depend on that order would give them their delays in another order
      random: () => s.draw,
    };
    const policy = createModelPolicy(general ? onGeneralPath(options) : options);
    const model = createResilientModel({
      policy,
      primary,
      fallbacks: [fallback],
      staticAnswer: 'static',
      queue: { deadlineMs: 120_000, replayEveryMs: 5000 },
    });
    const outcomes: unknown[] = s.callers.map(() => 'pending');
    const never = new AbortController().signal;
    s.callers.forEach((c, i) => {
      w.clock.setTimer(c.atMs, () => {
        const controller = new AbortController();
        if (c.abortAfterMs !== undefined) {
          w.clock.setTimer(c.abortAfterMs, () => controller.abort(new Error(`caller ${i} left`)));
        }
        const asked = c.repeats && i > 0 ? i - 1 : i;
        const request: ModelRequest = {
          messages: [{ role: 'user', content: [{ type: 'text', text: `call ${asked}` }] }],
          ...(c.signal ? { signal: controller.signal } : {}),
        };
        const done: Promise<unknown> =
          c.how === 'stream'
            ? (async () => {
                const events = [];
                for await (const e of model.stream(request)) events.push(e);
                return events;
              })()
            : c.how === 'policy'
              ? policy.generate(primary, request, request.signal ?? never)
              : model.generate(request);
        done.then(
          (answer) => {
            outcomes[i] = { at: w.clock.now(), answer };
          },
          (error: unknown) => {
            outcomes[i] = { at: w.clock.now(), error: errorOf(error) };
          },
        );
      });
    });
    if (s.stopAtMs !== undefined) w.clock.setTimer(s.stopAtMs, () => void w.node.stop());
    await w.clock.settle();
    for (let step = 0; step < 20_000; step++) {
      if (outcomes.every((o) => o !== 'pending') && w.clock.now() > 60_000) break;
      if (!(await w.clock.advanceToNext())) break;
    }
    await w.clock.settle();
    model.close();
    await w.clock.settle();
    const calls = (m: typeof primary) =>
      m.calls.map((c) => ({
        index: c.index,
        mode: c.mode,
        messages: c.request.messages,
        startedAt: c.startedAt,
        endedAt: c.endedAt,
        outcome: c.outcome,
        error: c.error === undefined ? undefined : errorOf(c.error),
      }));
    return {
      outcomes,
      events: byInstant(w.events),
      calls: [...calls(primary), ...calls(fallback)],
      endedAt: w.clock.now(),
    };
  } finally {
    await w.stop();
  }
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  primaryFaults: fc.array(rule, { maxLength: 4 }),
  fallbackFaults: fc.array(rule, { maxLength: 3 }),
  callers: fc.array(caller, { minLength: 1, maxLength: 16 }),
  concurrency: fc.integer({ min: 1, max: 4 }),
  deadlineMs: fc.constantFrom(600_000, 20_000, 3000),
  stopAtMs: fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 90_000 }) },
  ),
  seed: fc.integer({ min: 0, max: 1000 }),
  draw: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
});

describe('inline first attempt', () => {
  it('hands a call that finds no free slot to the ladder, as the general path does', async () => {
    // found by the property below: the second caller waits for the only slot while the first
    // hangs, the breaker opens, and it must be served by the fallback, not fail with the breaker
    const s: Scenario = {
      primaryFaults: [{ effect: faults.hang(), fromMs: 0 }],
      fallbackFaults: [],
      callers: [0, 1].map(() => ({
        atMs: 0,
        how: 'generate' as const,
        signal: false,
        abortAfterMs: undefined,
        repeats: false,
      })),
      concurrency: 1,
      deadlineMs: 600_000,
      stopAtMs: undefined,
      seed: 0,
      draw: 0.5,
    };
    const general = await run(s, true);
    const inline = await run(s, false);
    expect(inline).toEqual(general);
    const second = inline.outcomes[1] as { answer?: { responseId?: string } };
    expect(second.answer?.responseId).toBe('f-1');
  });
});

describe('inline first attempt, odd inputs', () => {
  /** What a call gives on either path: its answer's text or its error's name, code and kind. */
  async function outcome(
    general: boolean,
    client: ModelClient,
    request: ModelRequest,
    limits: ModelPolicyOptions['limits'] = {},
  ): Promise<unknown> {
    const w = world();
    try {
      const options: ModelPolicyOptions = { clock: w.clock, node: w.node, limits };
      const policy = createModelPolicy(general ? onGeneralPath(options) : options);
      const model = createResilientModel({ policy, primary: client, queue: false, cache: false });
      let result: unknown;
      let sync: unknown;
      try {
        model.generate(request).then(
          (r) => {
            result = { text: (r.content[0] as { text?: string } | undefined)?.text };
          },
          (error: unknown) => {
            result = errorOf(error);
          },
        );
      } catch (error) {
        sync = error;
      }
      await w.clock.settle();
      expect(sync, 'generate never throws; its promise rejects').toBe(undefined);
      return result;
    } finally {
      await w.stop();
    }
  }

  const answering: ModelClient = {
    provider: 'p',
    model: 'p-1',
    generate: async () => ({
      content: [{ type: 'text', text: 'ok' }],
      finishReason: 'stop',
      usage: { inputTokens: 1, outputTokens: 1 },
      model: 'p-1',
    }),
    stream: () => (async function* () {})(),
  };

  it('fails as the general path when the limits of the provider do not hold', async () => {
    const limits = { '*': { concurrency: 0 } };
    const inline = await outcome(false, answering, ask('hi'), limits);
    expect(inline).toEqual(await outcome(true, answering, ask('hi'), limits));
    expect(inline).toMatchObject({ name: 'ModelCallError' });
  });

  it('fails as the general path when the client throws instead of rejecting', async () => {
    const throwing: ModelClient = {
      ...answering,
      generate: () => {
        throw new ModelCallError('bad_request', 'no', { retryable: false });
      },
    };
    const inline = await outcome(false, throwing, ask('hi'));
    expect(inline).toEqual(await outcome(true, throwing, ask('hi')));
    expect(inline).toMatchObject({ kind: 'bad_request' });
  });

  it('answers as the general path when the client answers a value, not a promise', async () => {
    const plain = {
      ...answering,
      generate: () => ({ content: [{ type: 'text', text: 'value' }] }),
    } as unknown as ModelClient;
    const inline = await outcome(false, plain, ask('hi'));
    expect(inline).toEqual(await outcome(true, plain, ask('hi')));
    expect(inline).toEqual({ text: 'value' });
  });

  it('answers once, as the general path, when a thenable of the client calls back twice', async () => {
    const twice = {
      ...answering,
      generate: () => ({
        // biome-ignore lint/suspicious/noThenProperty: a thenable is what this test is about.
        then(answer: (r: unknown) => void, fail: (e: unknown) => void) {
          answer({ content: [{ type: 'text', text: 'first' }] });
          fail(new ModelCallError('server', 'late', { retryable: true }));
          answer({ content: [{ type: 'text', text: 'second' }] });
        },
      }),
    } as unknown as ModelClient;
    const inline = await outcome(false, twice, ask('hi'));
    expect(inline).toEqual(await outcome(true, twice, ask('hi')));
    expect(inline).toEqual({ text: 'first' });
  });

  it('fails as the general path when a thenable of the client throws from then', async () => {
    const broken = {
      ...answering,
      generate: () => ({
        // biome-ignore lint/suspicious/noThenProperty: a thenable is what this test is about.
        then() {
          throw new ModelCallError('bad_request', 'broken', { retryable: false });
        },
      }),
    } as unknown as ModelClient;
    const inline = await outcome(false, broken, ask('hi'));
    expect(inline).toEqual(await outcome(true, broken, ask('hi')));
    expect(inline).toMatchObject({ kind: 'bad_request' });
  });

  it('fails as the general path when a field of the request throws as it is read', async () => {
    const request = ask('hi');
    Object.defineProperty(request, 'temperature', {
      enumerable: true,
      get() {
        throw new Error('unreadable');
      },
    });
    const inline = await outcome(false, answering, request);
    expect(inline).toEqual(await outcome(true, answering, request));
    expect(inline).toMatchObject({ name: 'ModelCallError' });
  });
});

describe('inline first attempt (property)', () => {
  it('answers, fails, emits and calls the models exactly as the general path', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const general = await run(s, true);
        const inline = await run(s, false);
        expect(inline.outcomes).toEqual(general.outcomes);
        expect(inline.calls).toEqual(general.calls);
        expect(inline.events).toEqual(general.events);
        expect(inline.endedAt).toBe(general.endedAt);
      }),
      replayParams({ numRuns: Number(process.env.FC_RUNS ?? 80) }),
    );
  }, 240_000);
});
