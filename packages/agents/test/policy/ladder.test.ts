// The breaker and the degradation ladder: opening, moving down, climbing back, the queue.
import { isWardenError } from '@warden/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createModelPolicy,
  createResilientModel,
  isModelCallError,
  type ModelPolicy,
  ResponseCache,
  STATIC_MODEL,
} from '../../src/index.js';
import { createScriptedModel, type FaultRule, faults, outage } from '../../src/testing/index.js';
import { ask, settle, textOf, type World, world } from './world.js';

let w: World;
afterEach(() => w?.stop());

/** Breakers that open after 2 failures and probe after 10 s; retries off to keep counts exact. */
function policyOf(): ModelPolicy {
  return createModelPolicy({
    clock: w.clock,
    node: w.node,
    retry: { maxAttempts: 1 },
    breaker: { failure: { threshold: 2 }, openTimeout: { initialMs: 10_000, multiplier: 1 } },
  });
}

function models(primaryFaults: FaultRule[], fallbackFaults: FaultRule[] = []) {
  const primary = createScriptedModel({
    clock: w.clock,
    provider: 'primary-co',
    script: (r) => ({ text: `primary: ${textOf(r.messages[0])}` }),
    faults: primaryFaults,
  });
  const fallback = createScriptedModel({
    clock: w.clock,
    provider: 'fallback-co',
    script: (r) => ({ text: `fallback: ${textOf(r.messages[0])}` }),
    faults: fallbackFaults,
  });
  return { primary, fallback };
}

const levelChanges = () =>
  w.events.filter((e) => e.type === 'degrade.level_changed').map((e) => `${e.from}->${e.to}`);

describe('ladder: the breaker opens and the ladder moves down', () => {
  it('opens the primary breaker after sustained failures and serves from the fallback', async () => {
    w = world();
    const { primary, fallback } = models([outage(0, 60_000)]);
    const policy = policyOf();
    const model = createResilientModel({ policy, primary, fallbacks: [fallback], queue: false });
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) answers.push(textOf(await model.generate(ask(`q${i}`))) ?? '');
    expect(answers).toEqual([
      'fallback: q0',
      'fallback: q1',
      'fallback: q2',
      'fallback: q3',
      'fallback: q4',
    ]);
    expect(primary.calls).toHaveLength(2); // then the open breaker skips it without a call
    expect(policy.breaker('primary-co').state).toBe('open');
    expect(model.level).toBe('fallback-1');
    expect(levelChanges()).toEqual(['primary->fallback-1']);
    expect(w.events.some((e) => e.type === 'breaker.trip')).toBe(true);
  });

  it('moves down to the cache, then the static answer, then the queue', async () => {
    w = world();
    const { primary, fallback } = models([outage(1000, 60_000)], [outage(1000, 60_000)]);
    const policy = policyOf();
    const model = createResilientModel({
      policy,
      primary,
      fallbacks: [fallback],
      staticAnswer: (r) =>
        r.tools === undefined ? 'degraded: try again in a few minutes' : undefined,
    });
    expect(textOf(await model.generate(ask('asked before')))).toBe('primary: asked before');
    await w.clock.advance(1000);
    for (let i = 0; i < 2; i++) await model.generate(ask(`trip ${i}`));
    expect(model.level).toBe('cache');
    const cached = await model.generate(ask('asked before'));
    expect(textOf(cached)).toBe('primary: asked before');
    const fixed = await model.generate(ask('new question'));
    expect(fixed).toMatchObject({ model: STATIC_MODEL, finishReason: 'other' });
    const tool = { name: 't', inputSchema: { type: 'object' } };
    const queued = settle(model.generate(ask('needs a tool', { tools: [tool] })));
    await w.clock.settle();
    expect(queued.done).toBe(false);
    expect(model.queued).toBe(1);
    // a new call does not wait behind the queued one
    const after = await model.generate(ask('another new question'));
    expect(after.model).toBe(STATIC_MODEL);
    const degraded = w.events.filter((e) => e.type === 'model.degraded').map((e) => e.level);
    expect(degraded).toEqual(['static', 'static', 'cache', 'static', 'static']);
  });

  it('climbs back when the half-open probe succeeds, and replays the queue in order', async () => {
    w = world();
    const { primary, fallback } = models([outage(0, 30_000)], [outage(0, 30_000)]);
    const policy = policyOf();
    const model = createResilientModel({ policy, primary, fallbacks: [fallback], cache: false });
    const calls = ['a', 'b', 'c', 'd'].map((q) => settle(model.generate(ask(q))));
    await w.clock.settle();
    expect(model.queued).toBeGreaterThan(0);
    await w.runUntil(() => calls.every((c) => c.done), 1000);
    expect(calls.map((c) => textOf(c.value))).toEqual([
      'primary: a',
      'primary: b',
      'primary: c',
      'primary: d',
    ]);
    expect(model.queued).toBe(0);
    expect(model.level).toBe('primary');
    expect(policy.breaker('primary-co').state).toBe('closed');
    const replayed = w.events.filter((e) => e.type === 'model.replayed');
    expect(replayed).toHaveLength(4);
    expect(w.clock.now()).toBeGreaterThanOrEqual(30_000);
    expect(levelChanges().at(-1)).toMatch(/->primary$/);
  });

  it('stays down when the probe fails, and probes again after the open timeout', async () => {
    w = world();
    const { primary } = models([outage(0, 25_000)]);
    const policy = policyOf();
    const model = createResilientModel({ policy, primary, cache: false, staticAnswer: 'static' });
    await model.generate(ask('1'));
    await model.generate(ask('2'));
    expect(policy.breaker('primary-co').state).toBe('open');
    await w.clock.advance(10_000); // half-open: the next call is the probe, and it fails
    expect(model.level).toBe('primary');
    expect((await model.generate(ask('probe'))).model).toBe(STATIC_MODEL);
    expect(policy.breaker('primary-co').state).toBe('open');
    await w.clock.advance(10_000);
    expect((await model.generate(ask('probe 2'))).model).toBe(STATIC_MODEL);
    await w.clock.advance(10_000);
    expect(textOf(await model.generate(ask('probe 3')))).toBe('primary: probe 3');
    expect(policy.breaker('primary-co').state).toBe('closed');
    expect(primary.calls.map((c) => c.outcome)).toEqual([
      'failed',
      'failed',
      'failed',
      'failed',
      'answered',
    ]);
  });
});

describe('ladder: the static answer', () => {
  it('never answers a request that must call a tool: it waits in the queue', async () => {
    w = world();
    const { primary } = models([outage(0, 100_000)]);
    const model = createResilientModel({
      policy: policyOf(),
      primary,
      cache: false,
      staticAnswer: 'static',
    });
    const tool = { name: 't', inputSchema: { type: 'object' } };
    const forced = settle(model.generate(ask('t', { tools: [tool], toolChoice: 'required' })));
    const named = settle(model.generate(ask('n', { tools: [tool], toolChoice: { tool: 't' } })));
    const free = settle(model.generate(ask('f', { tools: [tool], toolChoice: 'auto' })));
    await w.clock.settle();
    expect(free.value?.model).toBe(STATIC_MODEL);
    expect([forced.done, named.done]).toEqual([false, false]);
    expect(model.queued).toBe(2);
    model.close();
  });
});

describe('ladder: the queue', () => {
  it('fails a queued call with timeout (queue_deadline) past the deadline, and skips its replay', async () => {
    w = world();
    const { primary } = models([outage(0, 100_000)]);
    const policy = policyOf();
    const model = createResilientModel({
      policy,
      primary,
      cache: false,
      queue: { deadlineMs: 50_000 },
    });
    const early = [settle(model.generate(ask('1'))), settle(model.generate(ask('2')))];
    const waiting = settle(model.generate(ask('late')));
    await w.clock.advance(50_000);
    expect(waiting.error).toMatchObject({
      kind: 'timeout',
      providerCode: 'queue_deadline',
      retryable: false,
    });
    expect(early.every((c) => c.done)).toBe(true);
    expect(w.events.some((e) => e.type === 'model.queue_expired')).toBe(true);
    const before = primary.calls.length;
    await w.runUntil(() => model.queued === 0, 1000);
    await w.clock.advance(100_000);
    expect(primary.calls.slice(before).map((c) => textOf(c.request.messages[0]))).not.toContain(
      'late',
    );
  });

  it('rejects a queued call with ERR_ABORTED when its caller aborts', async () => {
    w = world();
    const { primary } = models([outage(0, 100_000)]);
    const model = createResilientModel({ policy: policyOf(), primary, cache: false });
    const controller = new AbortController();
    const waiting = settle(model.generate(ask('q', { signal: controller.signal })));
    await w.clock.settle();
    controller.abort();
    await w.clock.settle();
    expect(isWardenError(waiting.error, 'ERR_ABORTED')).toBe(true);
  });

  it('fails with the primary error when the queue is full', async () => {
    w = world();
    const { primary } = models([{ effect: faults.auth() }]);
    const model = createResilientModel({
      policy: policyOf(),
      primary,
      cache: false,
      queue: { capacity: 1 },
    });
    const first = settle(model.generate(ask('1')));
    const second = settle(model.generate(ask('2')));
    await w.clock.settle();
    expect(first.done).toBe(false);
    expect(isModelCallError(second.error, 'auth')).toBe(true);
    model.close();
    await w.clock.settle();
    expect(first.error).toMatchObject({ kind: 'unknown', providerCode: 'closed' });
  });

  it('hands a queued stream its events once replayed', async () => {
    w = world();
    const { primary } = models([outage(0, 20_000)]);
    const model = createResilientModel({ policy: policyOf(), primary, cache: false });
    const early = [settle(model.generate(ask('1'))), settle(model.generate(ask('2')))];
    const texts: string[] = [];
    const done = settle(
      (async () => {
        for await (const e of model.stream(ask('streamed')))
          if (e.type === 'text-delta') texts.push(e.text);
      })(),
    );
    await w.runUntil(() => done.done, 1000);
    expect(done.error).toBeUndefined();
    expect(texts.join('')).toBe('primary: streamed');
    expect(early.map((c) => textOf(c.value))).toEqual(['primary: 1', 'primary: 2']);
  });
});

describe('ladder: a failure of the primary, met before the ladder', () => {
  it('falls through from the primary as the ladder does, even when that failure opened its breaker', async () => {
    w = world();
    const { primary, fallback } = models([{ calls: [0, 1], effect: faults.serverError(502) }]);
    const model = createResilientModel({ policy: policyOf(), primary, fallbacks: [fallback] });
    const first = settle(model.generate(ask('a')));
    await w.runUntil(() => first.done);
    expect(textOf(first.value)).toBe('fallback: a');
    const second = settle(model.generate(ask('b'))); // its failure opens the primary's breaker
    await w.runUntil(() => second.done);
    expect(textOf(second.value)).toBe('fallback: b');
    expect(model.level).toBe('fallback-1');
    const moves = w.events
      .filter((e) => e.type === 'degrade.fell_through' || e.type === 'model.degraded')
      .map((e) => `${e.type} ${String(e.from ?? e.level)}`);
    expect(moves).toEqual([
      'degrade.fell_through primary',
      'model.degraded fallback-1',
      'degrade.fell_through primary',
      'model.degraded fallback-1',
    ]);
    // the primary was asked twice: the ladder did not call it again for either failure
    expect(primary.calls).toHaveLength(2);
  });
});

describe('ladder: the cache', () => {
  it('keys earlier answers by the request, not by its signal or key order', async () => {
    w = world();
    const cache = new ResponseCache({ clock: w.clock, maxEntries: 2, ttlMs: 1000 });
    const response = {
      content: [],
      finishReason: 'stop' as const,
      usage: { inputTokens: 1, outputTokens: 1 },
      model: 'm',
    };
    cache.set({ messages: [], temperature: 0, system: 's' }, response);
    expect(
      cache.get({ system: 's', temperature: 0, messages: [], signal: AbortSignal.abort() }),
    ).toBe(response);
    expect(cache.get({ system: 'other', messages: [] })).toBeUndefined();
    await w.clock.advance(1000);
    expect(cache.get({ system: 's', temperature: 0, messages: [] })).toBeUndefined();
  });
  it('stores the same request again as its newest answer, refreshed, and evicts the least recently used', async () => {
    w = world();
    const cache = new ResponseCache({ clock: w.clock, maxEntries: 2, ttlMs: 1000 });
    const answer = (model: string) => ({
      content: [],
      finishReason: 'stop' as const,
      usage: { inputTokens: 1, outputTokens: 1 },
      model,
    });
    const a = () => ask('a');
    const b = () => ask('b');
    cache.set(a(), answer('a1'));
    cache.set(b(), answer('b1'));
    await w.clock.advance(600);
    cache.set(b(), answer('b2')); // the newest again: replaced, its age restarts
    expect(cache.size).toBe(2);
    await w.clock.advance(600); // a is 1200 ms old, b 600 ms
    expect(cache.get(a())).toBeUndefined();
    expect(cache.get(b())?.model).toBe('b2');
    cache.set(a(), answer('a2'));
    expect(cache.get(b())?.model).toBe('b2'); // b used last: a is the least recently used
    cache.set(ask('c'), answer('c1'));
    expect(cache.get(a())).toBeUndefined();
    expect(cache.get(b())?.model).toBe('b2');
    expect(cache.get(ask('c'))?.model).toBe('c1');
  });
});
