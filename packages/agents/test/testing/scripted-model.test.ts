// The scripted model: deterministic turns, faults as data on the clock, real ModelCallErrors.
import { isWardenError } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import {
  isAgentError,
  isModelCallError,
  type ModelRequest,
  type StreamEvent,
} from '../../src/index.js';
import {
  createScriptedModel,
  credentialsExpireAt,
  estimateInputTokens,
  faults,
  outage,
} from '../../src/testing/index.js';

const ask = (text: string, extra: Partial<ModelRequest> = {}): ModelRequest => ({
  messages: [{ role: 'user', content: [{ type: 'text', text }] }],
  ...extra,
});

function settle<T>(promise: Promise<T>) {
  const out = { done: false, value: undefined as T | undefined, error: undefined as unknown };
  promise.then(
    (v) => Object.assign(out, { done: true, value: v }),
    (e: unknown) => Object.assign(out, { done: true, error: e }),
  );
  return out;
}

async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const e of stream) events.push(e);
  return events;
}

const lastText = (request: ModelRequest) => {
  const part = request.messages.at(-1)?.content.at(-1);
  return part?.type === 'text' ? part.text : '';
};

describe('scripted model: turns', () => {
  it('answers a list of turns in order, one turn per answered call', async () => {
    const clock = new TestClock();
    const model = createScriptedModel({
      clock,
      script: [
        { toolCalls: [{ name: 'search', input: { q: 'otp' } }] },
        { text: 'done', usage: { inputTokens: 7, outputTokens: 1 } },
      ],
    });
    const first = await model.generate(ask('hi'));
    expect(first.finishReason).toBe('tool-calls');
    expect(first.content).toEqual([
      { type: 'tool-call', callId: 'scripted-0-call-1', name: 'search', input: { q: 'otp' } },
    ]);
    const second = await model.generate(ask('hi'));
    expect(second).toMatchObject({
      content: [{ type: 'text', text: 'done' }],
      finishReason: 'stop',
      usage: { inputTokens: 7, outputTokens: 1 },
      model: 'scripted-1',
    });
    const third = await model.generate(ask('hi')).catch((e: unknown) => e);
    expect(isModelCallError(third, 'unknown')).toBe(true);
    expect((third as { providerCode?: string }).providerCode).toBe('script_exhausted');
    expect(model.calls.map((c) => c.outcome)).toEqual(['answered', 'answered', 'failed']);
  });

  it('answers by the request when a turn is a function', async () => {
    const model = createScriptedModel({
      clock: new TestClock(),
      script: (request, { index }) => ({ text: `${index}: ${lastText(request)}` }),
    });
    expect((await model.generate(ask('ping'))).content).toEqual([
      { type: 'text', text: '0: ping' },
    ]);
    expect((await model.generate(ask('pong'))).content).toEqual([
      { type: 'text', text: '1: pong' },
    ]);
  });

  it('streams text deltas, tool calls and one finish event last', async () => {
    const model = createScriptedModel({
      clock: new TestClock(),
      script: { text: 'hello there world', toolCalls: [{ name: 't', input: 1, callId: 'c' }] },
    });
    const events = await collect(model.stream(ask('x')));
    expect(events.map((e) => e.type)).toEqual([
      'text-delta',
      'text-delta',
      'text-delta',
      'tool-call',
      'finish',
    ]);
    expect(
      events
        .filter((e) => e.type === 'text-delta')
        .map((e) => e.text)
        .join(''),
    ).toBe('hello there world');
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool-calls' });
    expect(model.calls[0]?.outcome).toBe('answered');
  });
});

describe('scripted model: faults on the clock', () => {
  it('adds latency on the clock and counts calls in flight', async () => {
    const clock = new TestClock();
    const model = createScriptedModel({
      clock,
      script: { text: 'ok' },
      latencyMs: 100,
      faults: [{ calls: [1], effect: faults.latency(400) }],
    });
    const a = settle(model.generate(ask('a')));
    const b = settle(model.generate(ask('b')));
    await clock.advance(99);
    expect([a.done, b.done]).toEqual([false, false]);
    expect(model.inFlight).toBe(2);
    await clock.advance(1);
    expect([a.done, b.done]).toEqual([true, false]);
    await clock.advance(400);
    expect(b.done).toBe(true);
    expect(model.maxInFlight).toBe(2);
    expect(model.inFlight).toBe(0);
  });

  it('fails the scheduled calls with the status, kind and Retry-After a provider sends', async () => {
    const model = createScriptedModel({
      clock: new TestClock(),
      script: { text: 'ok' },
      faults: [
        { calls: [0], effect: faults.rateLimited(2000) },
        { calls: [1], effect: faults.serverError(503) },
        { calls: [2], effect: faults.overloaded() },
        { calls: [3], effect: faults.serverError(500) },
        { calls: [4], effect: faults.quotaExhausted() },
      ],
    });
    const errors = [];
    for (let i = 0; i < 5; i++)
      errors.push(await model.generate(ask('x')).catch((e: unknown) => e));
    expect(
      errors.map((e) => [(e as { kind: string }).kind, (e as { status: number }).status]),
    ).toEqual([
      ['rate_limited', 429],
      ['overloaded', 503],
      ['overloaded', 529],
      ['server', 500],
      ['quota_exhausted', 429],
    ]);
    expect(errors[0]).toMatchObject({ retryAfterMs: 2000, provider: 'scripted', retryable: true });
    expect(errors[4]).toMatchObject({ providerCode: 'insufficient_quota', retryable: false });
    // an answer from elsewhere: no stack of the scripted model's frames
    const first = errors[0] as Error;
    expect(first.stack).toBe(`${first.name}: ${first.message}`);
    expect((await model.generate(ask('x'))).content).toEqual([{ type: 'text', text: 'ok' }]);
  });

  it('answers 429 with Retry-After in whole seconds beyond the rate limit of a window', async () => {
    const clock = new TestClock();
    const model = createScriptedModel({
      clock,
      script: { text: 'ok' },
      rateLimit: { requests: 2, windowMs: 1000 },
    });
    await model.generate(ask('1'));
    await model.generate(ask('2'));
    await clock.advance(300);
    const limited = await model.generate(ask('3')).catch((e: unknown) => e);
    expect(limited).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 1000 });
    await clock.advance(700);
    expect((await model.generate(ask('4'))).content).toHaveLength(1);
  });

  it('hangs until the caller aborts, then rejects with ERR_ABORTED', async () => {
    const clock = new TestClock();
    const model = createScriptedModel({
      clock,
      script: { text: 'ok' },
      faults: [{ effect: faults.hang() }],
    });
    const controller = new AbortController();
    const out = settle(model.generate(ask('x', { signal: controller.signal })));
    await clock.advance(30_000);
    expect(out.done).toBe(false);
    controller.abort();
    await clock.settle();
    expect(isWardenError(out.error, 'ERR_ABORTED')).toBe(true);
    // made in the abort's listener: no stack, the abort's own reason as its cause
    const error = out.error as Error;
    expect(error.stack).toBe(`WardenError: ${error.message}`);
    expect(error.cause).toBe(controller.signal.reason);
    expect(model.calls[0]?.outcome).toBe('aborted');
    expect(clock.pendingTimers).toBe(0);
  });

  it('hangs until the call deadline, then fails with timeout', async () => {
    const clock = new TestClock();
    const model = createScriptedModel({
      clock,
      script: { text: 'ok' },
      timeoutMs: 5000,
      faults: [{ effect: faults.hang() }],
    });
    const out = settle(model.generate(ask('x')));
    await clock.advance(4999);
    expect(out.done).toBe(false);
    await clock.advance(1);
    expect(isModelCallError(out.error, 'timeout')).toBe(true);
  });

  it('cuts a garbled stream after one event with a typed error', async () => {
    const model = createScriptedModel({
      clock: new TestClock(),
      script: { text: 'ok' },
      faults: [{ effect: faults.garbage() }],
    });
    const events: StreamEvent[] = [];
    const error = await (async () => {
      for await (const e of model.stream(ask('x'))) events.push(e);
    })().catch((e: unknown) => e);
    expect(events).toHaveLength(1);
    expect(error).toMatchObject({ kind: 'server', status: 200, providerCode: 'invalid_response' });
    expect(isModelCallError(await model.generate(ask('x')).catch((e: unknown) => e))).toBe(true);
  });

  it('fails past the context window with context_length, counted by the estimate', async () => {
    const model = createScriptedModel({
      clock: new TestClock(),
      script: { text: 'ok' },
      contextWindow: 20,
    });
    const short = ask('a short question');
    const long = ask('x'.repeat(200));
    expect(estimateInputTokens(short)).toBeLessThanOrEqual(20);
    expect(estimateInputTokens(long)).toBeGreaterThan(20);
    await model.generate(short);
    const error = await model.generate(long).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'context_length', status: 400, retryable: false });
  });

  it("counts a tool by its own name and description and its schema's text, for tools sharing a schema too", () => {
    const inputSchema = { type: 'object', properties: { n: { type: 'number' } } };
    const text = (n: number) => Math.ceil(n / 4);
    const schema = text(JSON.stringify(inputSchema).length);
    const bare = estimateInputTokens(ask(''));
    const one = { name: 'lookup', description: 'Looks a record up', inputSchema };
    const other = { name: 'a-much-longer-tool-name', description: '', inputSchema };
    expect(estimateInputTokens(ask('', { tools: [one] })) - bare).toBe(2 + 5 + schema);
    expect(estimateInputTokens(ask('', { tools: [other] })) - bare).toBe(6 + 0 + schema);
    expect(estimateInputTokens(ask('', { tools: [one, other] })) - bare).toBe(13 + 2 * schema);
  });

  it('fails with auth from the time the credentials expire, and between outage times', async () => {
    const clock = new TestClock();
    const model = createScriptedModel({
      clock,
      script: { text: 'ok' },
      faults: [outage(1000, 2000), credentialsExpireAt(5000)],
    });
    const kindAt = async (t: number) => {
      await clock.advance(t - clock.now());
      return model.generate(ask('x')).then(
        () => 'ok',
        (e: { kind: string }) => e.kind,
      );
    };
    expect(await kindAt(999)).toBe('ok');
    expect(await kindAt(1000)).toBe('server');
    expect(await kindAt(1999)).toBe('server');
    expect(await kindAt(2000)).toBe('ok');
    expect(await kindAt(4999)).toBe('ok');
    expect(await kindAt(5000)).toBe('auth');
    expect(await kindAt(99_000)).toBe('auth');
  });

  it('draws probabilities from the seed: the same seed gives the same faults', async () => {
    const run = async (seed: number) => {
      const model = createScriptedModel({
        clock: new TestClock(),
        seed,
        script: { text: 'ok' },
        faults: [{ probability: 0.3, effect: faults.serverError(500) }],
      });
      const outcomes: string[] = [];
      for (let i = 0; i < 40; i++) {
        outcomes.push(
          await model.generate(ask('x')).then(
            () => 'ok',
            () => 'fail',
          ),
        );
      }
      return outcomes.join(',');
    };
    expect(await run(5)).toBe(await run(5));
    expect(await run(5)).not.toBe(await run(6));
    expect((await run(5)).split(',').filter((o) => o === 'fail').length).toBeGreaterThan(3);
  });

  it('rejects bad options with a typed error naming the field', () => {
    const clock = new TestClock();
    const bad = [
      [{ clock: {}, script: { text: '' } }, 'clock'],
      [{ clock, script: [] }, 'script'],
      [{ clock, script: { text: '' }, faults: [{ effect: { type: 'nope' } }] }, 'faults[0].effect'],
      [
        { clock, script: { text: '' }, faults: [{ probability: 2, effect: faults.hang() }] },
        'faults[0].probability',
      ],
      [
        { clock, script: { text: '' }, rateLimit: { requests: 0, windowMs: 1 } },
        'rateLimit.requests',
      ],
    ] as const;
    for (const [options, field] of bad) {
      let error: unknown;
      try {
        createScriptedModel(options as never);
      } catch (e) {
        error = e;
      }
      expect(isAgentError(error, 'ERR_INVALID_OPTION'), field).toBe(true);
      expect((error as { field: string }).field).toBe(field);
    }
  });
});
