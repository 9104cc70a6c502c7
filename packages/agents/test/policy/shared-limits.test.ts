// Limits per provider, shared by every agent of a node; streams; a queue that replays even when
// no breaker ever changes state.
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createModelPolicy,
  createResilientModel,
  MODEL_POLICY_DEFAULTS,
  modelPolicyOf,
  type StreamEvent,
} from '../../src/index.js';
import { createScriptedModel, credentialsExpireAt, faults } from '../../src/testing/index.js';
import { ask, collect, settle, textOf, type World, world } from './world.js';

let w: World;
afterEach(() => w?.stop());

describe('shared limits: one limiter per provider per node', () => {
  it('never has more than 20 calls in flight to a provider, however many agents call', async () => {
    w = world();
    const provider = createScriptedModel({
      clock: w.clock,
      provider: 'acme',
      latencyMs: 1000,
      script: { text: 'ok' },
    });
    const other = createScriptedModel({
      clock: w.clock,
      provider: 'other',
      latencyMs: 1000,
      script: { text: 'ok' },
    });
    // three agents, each with a model of its own, all on the node's shared policy
    const agents = [0, 1, 2].map(() => createResilientModel({ node: w.node, primary: provider }));
    const elsewhere = createResilientModel({ node: w.node, primary: other });
    expect(agents[0]?.policy).toBe(modelPolicyOf(w.node));
    const calls = Array.from({ length: 90 }, (_, i) =>
      settle((agents[i % 3] as (typeof agents)[number]).generate(ask(`q${i}`))),
    );
    const others = Array.from({ length: 30 }, (_, i) => settle(elsewhere.generate(ask(`o${i}`))));
    await w.clock.settle();
    expect(provider.inFlight).toBe(MODEL_POLICY_DEFAULTS.limits.concurrency);
    expect(other.inFlight).toBe(20); // another provider has limits of its own
    await w.runUntil(() => calls.every((c) => c.done) && others.every((c) => c.done));
    expect(provider.maxInFlight).toBe(20);
    expect(calls.every((c) => textOf(c.value) === 'ok')).toBe(true);
    expect(w.clock.now()).toBe(5000); // 90 calls, 20 at a time, one second each
  });

  it('takes its limits per provider from the options, `*` for the others', async () => {
    w = world();
    const policy = createModelPolicy({
      clock: w.clock,
      limits: { acme: { concurrency: 2 }, '*': { concurrency: 5 } },
    });
    expect(policy.limiter('acme').concurrency.maxConcurrent).toBe(2);
    expect(policy.limiter('zeta').concurrency.maxConcurrent).toBe(5);
    expect(() =>
      createModelPolicy({ clock: w.clock, limits: { acme: { concurrency: 0 } } }),
    ).toThrow(/limits\.acme\.concurrency/);
  });

  it('spaces requests by the token bucket', async () => {
    w = world();
    const model = createScriptedModel({ clock: w.clock, provider: 'acme', script: { text: 'ok' } });
    const policy = createModelPolicy({
      clock: w.clock,
      limits: { acme: { ratePerSecond: 2, burst: 1 } },
    });
    const resilient = createResilientModel({ policy, primary: model });
    const calls = Array.from({ length: 4 }, (_, i) => settle(resilient.generate(ask(`${i}`))));
    await w.runUntil(() => calls.every((c) => c.done));
    expect(model.calls.map((c) => c.startedAt)).toEqual([0, 500, 1000, 1500]);
  });
});

describe('streams through the policy', () => {
  it('retries a stream that fails before its first event', async () => {
    w = world();
    const model = createScriptedModel({
      clock: w.clock,
      script: { text: 'hello world' },
      faults: [{ calls: [0], effect: faults.serverError(502) }],
    });
    const resilient = createResilientModel({ node: w.node, primary: model });
    const out = settle(collect(resilient.stream(ask('q'))));
    await w.runUntil(() => out.done);
    expect(out.value?.map((e) => e.type)).toEqual(['text-delta', 'text-delta', 'finish']);
    expect(model.calls).toHaveLength(2);
  });

  it('never retries a stream once an event was yielded: the error reaches the caller', async () => {
    w = world();
    const model = createScriptedModel({
      clock: w.clock,
      script: { text: 'ok' },
      faults: [{ calls: [0], effect: faults.garbage() }],
    });
    const resilient = createResilientModel({ node: w.node, primary: model });
    const seen: StreamEvent[] = [];
    const out = settle(
      (async () => {
        for await (const e of resilient.stream(ask('q'))) seen.push(e);
      })(),
    );
    await w.runUntil(() => out.done);
    expect(seen).toHaveLength(1);
    expect(out.error).toMatchObject({ kind: 'server', providerCode: 'invalid_response' });
    expect(model.calls).toHaveLength(1);
    expect(modelPolicyOf(w.node).limiter('scripted').concurrency.running).toBe(0);
  });

  it('frees the provider slot when the caller stops reading early', async () => {
    w = world();
    const model = createScriptedModel({ clock: w.clock, script: { text: 'one two three four' } });
    const resilient = createResilientModel({ node: w.node, primary: model });
    for await (const _ of resilient.stream(ask('q'))) break;
    await w.clock.settle();
    expect(modelPolicyOf(w.node).limiter('scripted').concurrency.running).toBe(0);
    expect(model.calls[0]?.outcome).toBe('aborted');
  });

  it('streams an answer from the cache when the models are down', async () => {
    w = world();
    const model = createScriptedModel({
      clock: w.clock,
      script: { text: 'cached words' },
      faults: [credentialsExpireAt(1000)],
    });
    const resilient = createResilientModel({
      policy: createModelPolicy({ clock: w.clock, breaker: { failure: { threshold: 1 } } }),
      primary: model,
    });
    await collect(resilient.stream(ask('q')));
    await w.clock.advance(1000);
    const out = settle(collect(resilient.stream(ask('q'))));
    await w.runUntil(() => out.done);
    const text = out.value
      ?.filter((e) => e.type === 'text-delta')
      .map((e) => (e as { text: string }).text);
    expect(text?.join('')).toBe('cached words');
    expect(model.calls.map((c) => c.outcome)).toEqual(['answered', 'failed']);
  });
});

describe('a long-lived caller signal', () => {
  it('collects no listener, however many calls and streams it went through', async () => {
    w = world();
    const model = createScriptedModel({
      clock: w.clock,
      script: { text: 'a b c' },
      faults: [{ calls: [0, 3], effect: faults.serverError(500) }],
    });
    const resilient = createResilientModel({ node: w.node, primary: model });
    const agent = new AbortController(); // an agent's ctx.signal lives as long as the agent
    for (let i = 0; i < 5; i++) {
      const g = settle(resilient.generate(ask(`g${i}`, { signal: agent.signal })));
      const s = settle(collect(resilient.stream(ask(`s${i}`, { signal: agent.signal }))));
      await w.runUntil(() => g.done && s.done);
      expect(g.error ?? s.error).toBeUndefined();
      // one listener of the policy's retry watches the signal for all its calls, never one each
      expect(getEventListeners(agent.signal, 'abort').length).toBeLessThanOrEqual(1);
    }
    expect(model.calls.filter((c) => c.outcome === 'answered')).toHaveLength(10);
    // and it is removed at the next turn of the event loop once no call follows the signal
    await w.clock.settle();
    expect(getEventListeners(agent.signal, 'abort')).toHaveLength(0);
  });
});

describe('the queue replays without a breaker change', () => {
  it('replays a queued call on the replay timer once the primary answers again', async () => {
    w = world();
    // keys renewed at 40 s; the breaker (threshold 50) never opens, so only the timer replays
    const model = createScriptedModel({
      clock: w.clock,
      script: { text: 'ok' },
      faults: [credentialsExpireAt(0, 40_000)],
    });
    const policy = createModelPolicy({ clock: w.clock, breaker: { failure: { threshold: 50 } } });
    const resilient = createResilientModel({ policy, primary: model, cache: false });
    const out = settle(resilient.generate(ask('q')));
    await w.runUntil(() => out.done, 100);
    expect(textOf(out.value)).toBe('ok');
    expect(policy.breaker('scripted').state).toBe('closed');
    expect(w.clock.now()).toBe(45_000); // the third replay tick after the renewal at 40 s
  });
});
