// The policy decides by the error's kind: each kind's handling, as the defaults table says.
import { isWardenError } from '@warden/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createModelPolicy,
  createResilientModel,
  FAILURE_HANDLING,
  isModelCallError,
  MODEL_ERROR_KINDS,
  type ModelErrorKind,
} from '../../src/index.js';
import { createScriptedModel, type FaultEffect, faults } from '../../src/testing/index.js';
import { ask, settle, textOf, type World, world } from './world.js';

let w: World;
afterEach(() => w?.stop());

/** A primary failing its first `times` calls with `effect`, and a fallback that always answers. */
function setup(effect: FaultEffect, times = 1, withFallback = true) {
  w = world();
  const primary = createScriptedModel({
    clock: w.clock,
    provider: 'p',
    script: { text: 'primary' },
    faults: [{ calls: { to: times }, effect }],
  });
  const fallback = createScriptedModel({
    clock: w.clock,
    provider: 'f',
    script: { text: 'fallback' },
  });
  const policy = createModelPolicy({ clock: w.clock, node: w.node, random: () => 0.5 });
  const model = createResilientModel({
    policy,
    primary,
    fallbacks: withFallback ? [fallback] : [],
    cache: false,
    queue: false,
  });
  return { primary, fallback, policy, model };
}

describe('failure handling: the table', () => {
  it('declares a handling for every kind of the taxonomy', () => {
    expect(Object.keys(FAILURE_HANDLING).sort()).toEqual([...MODEL_ERROR_KINDS].sort());
  });
});

describe('failure handling: transient kinds are retried with jitter', () => {
  for (const [kind, effect] of [
    ['server', faults.serverError(500)],
    ['overloaded', faults.overloaded()],
    ['timeout', faults.serverError(504)],
    ['network', faults.network()],
  ] as [ModelErrorKind, FaultEffect][]) {
    it(`retries ${kind} on the primary and answers from it`, async () => {
      const { primary, fallback, model } = setup(effect, 2);
      const out = settle(model.generate(ask('q')));
      await w.runUntil(() => out.done);
      expect(textOf(out.value)).toBe('primary');
      expect(primary.calls.map((c) => c.outcome)).toEqual(['failed', 'failed', 'answered']);
      expect(fallback.calls).toHaveLength(0);
      expect(w.events.filter((e) => e.type === 'retry.scheduled')).toHaveLength(2);
    });
  }

  it('waits with full jitter: the n-th retry within [0, base x 2^(n-1))', async () => {
    const { primary, model } = setup(faults.serverError(500), 3);
    const out = settle(model.generate(ask('q')));
    await w.runUntil(() => out.done);
    const at = primary.calls.map((c) => c.startedAt);
    const gaps = at.slice(1).map((t, i) => t - (at[i] as number));
    // random 0.5: half of 500, 1000, 2000 ms
    expect(gaps).toEqual([250, 500, 1000]);
  });

  it('gives up after the attempts and passes the call down the ladder', async () => {
    const { primary, fallback, model } = setup(faults.serverError(500), 100);
    const out = settle(model.generate(ask('q')));
    await w.runUntil(() => out.done);
    expect(primary.calls).toHaveLength(4);
    expect(textOf(out.value)).toBe('fallback');
    expect(fallback.calls).toHaveLength(1);
  });

  it('stops retrying when the shared retry budget is spent', async () => {
    w = world();
    const primary = createScriptedModel({
      clock: w.clock,
      script: { text: 'ok' },
      faults: [{ effect: faults.serverError(500) }],
    });
    const policy = createModelPolicy({
      clock: w.clock,
      node: w.node,
      budget: { ratio: 0, minRetries: 2 },
      random: () => 0.5,
    });
    const model = createResilientModel({ policy, primary, cache: false, queue: false });
    const a = settle(model.generate(ask('a')));
    const b = settle(model.generate(ask('b')));
    await w.runUntil(() => a.done && b.done);
    expect(primary.calls).toHaveLength(4); // two first attempts and the budget's two retries
    expect(isModelCallError(a.error, 'server')).toBe(true);
    expect(isModelCallError(b.error, 'server')).toBe(true);
    expect(w.events.some((e) => e.type === 'retry.budget_denied')).toBe(true);
  });
});

describe('failure handling: rate_limited waits for the Retry-After, spread above it', () => {
  it('retries after Retry-After x (1 + spread x random) and answers from the primary', async () => {
    const { primary, fallback, model } = setup(faults.rateLimited(2000));
    const out = settle(model.generate(ask('q')));
    await w.runUntil(() => out.done);
    expect(textOf(out.value)).toBe('primary');
    expect(primary.calls.map((c) => c.startedAt)).toEqual([0, 3000]); // 2000 x (1 + 1 x 0.5)
    expect(fallback.calls).toHaveLength(0);
  });

  it('pauses the provider for every caller of the node until the Retry-After', async () => {
    const { primary, model } = setup(faults.rateLimited(3000));
    const first = settle(model.generate(ask('first')));
    await w.clock.settle();
    expect(w.events.find((e) => e.type === 'model.paused')).toMatchObject({
      provider: 'p',
      until: 3000,
    });
    const second = settle(model.generate(ask('second')));
    await w.runUntil(() => first.done && second.done);
    // the second caller never reached the provider during the pause
    expect(primary.calls.filter((c) => c.startedAt < 3000)).toHaveLength(1);
    expect(textOf(second.value)).toBe('primary');
  });

  it('does not count a 429 against the breaker', async () => {
    const { policy, model } = setup(faults.rateLimited(100), 6);
    const out = settle(model.generate(ask('q')));
    await w.runUntil(() => out.done);
    expect(policy.breaker('p').state).toBe('closed');
    expect(textOf(out.value)).toBe('primary');
  });
});

describe('failure handling: kinds that degrade at once', () => {
  for (const [kind, effect] of [
    ['quota_exhausted', faults.quotaExhausted()],
    ['auth', faults.auth()],
  ] as [ModelErrorKind, FaultEffect][]) {
    it(`serves ${kind} from the fallback without retrying the primary`, async () => {
      const { primary, model } = setup(effect);
      const out = settle(model.generate(ask('q')));
      await w.runUntil(() => out.done);
      expect(primary.calls).toHaveLength(1);
      expect(textOf(out.value)).toBe('fallback');
    });

    it(`fails with the typed ${kind} error when nothing below can serve`, async () => {
      const { primary, model } = setup(effect, 1, false);
      const out = settle(model.generate(ask('q')));
      await w.runUntil(() => out.done);
      expect(primary.calls).toHaveLength(1);
      expect(isModelCallError(out.error, kind)).toBe(true);
    });
  }
});

describe('failure handling: kinds handed to the caller untouched', () => {
  for (const [kind, effect] of [
    ['context_length', undefined],
    ['bad_request', faults.badRequest()],
    ['content_filter', faults.contentFilter()],
    ['unknown', { type: 'error', kind: 'unknown', status: 409, providerCode: 'conflict' }],
  ] as [ModelErrorKind, FaultEffect | undefined][]) {
    it(`fails with ${kind} at once: no retry, no fallback, no breaker count`, async () => {
      w = world();
      const primary = createScriptedModel({
        clock: w.clock,
        provider: 'p',
        script: { text: 'primary' },
        contextWindow: 10,
        faults: effect === undefined ? [] : [{ effect }],
      });
      const fallback = createScriptedModel({
        clock: w.clock,
        provider: 'f',
        script: { text: 'f' },
      });
      const policy = createModelPolicy({ clock: w.clock, node: w.node });
      const model = createResilientModel({
        policy,
        primary,
        fallbacks: [fallback],
        staticAnswer: 'static',
      });
      const request = ask(effect === undefined ? 'far too long for a window of ten tokens' : 'q');
      const errors: unknown[] = [];
      for (let i = 0; i < 6; i++)
        errors.push(await model.generate(request).catch((e: unknown) => e));
      for (const error of errors) expect(isModelCallError(error, kind)).toBe(true);
      expect(primary.calls).toHaveLength(6);
      expect(fallback.calls).toHaveLength(0);
      expect(policy.breaker('p').state).toBe('closed');
      expect(model.queued).toBe(0);
    });
  }

  it('passes the client error itself, with its status and provider code', async () => {
    const { model } = setup(faults.badRequest());
    const error = await model.generate(ask('q')).catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: 'bad_request',
      status: 400,
      providerCode: 'invalid_request_error',
      provider: 'p',
    });
  });
});

describe('failure handling: abort', () => {
  it('rejects with core ERR_ABORTED, retries nothing and counts nothing against the breaker', async () => {
    const { primary, policy, model } = setup(faults.hang(), 100);
    const controller = new AbortController();
    const out = settle(model.generate(ask('q', { signal: controller.signal })));
    await w.clock.advance(1000);
    controller.abort();
    await w.runUntil(() => out.done);
    expect(isWardenError(out.error, 'ERR_ABORTED')).toBe(true);
    expect(primary.calls).toHaveLength(1);
    expect(policy.breaker('p').stats).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    expect(policy.limiter('p').concurrency.running).toBe(0);
  });

  it('rejects at once when the signal is already aborted, calling nothing', async () => {
    const { primary, model } = setup(faults.latency(0));
    const error = await model
      .generate(ask('q', { signal: AbortSignal.abort() }))
      .catch((e: unknown) => e);
    expect(isWardenError(error, 'ERR_ABORTED')).toBe(true);
    expect(primary.calls).toHaveLength(0);
  });

  it('retries a hung call once the client deadline turns it into a timeout', async () => {
    w = world();
    const primary = createScriptedModel({
      clock: w.clock,
      timeoutMs: 10_000,
      script: { text: 'ok' },
      faults: [{ calls: [0], effect: faults.hang() }],
    });
    const model = createResilientModel({ node: w.node, primary, queue: false });
    const out = settle(model.generate(ask('q')));
    await w.runUntil(() => out.done);
    expect(textOf(out.value)).toBe('ok');
    expect(primary.calls.map((c) => c.outcome)).toEqual(['failed', 'answered']);
    expect(isModelCallError(primary.calls[0]?.error, 'timeout')).toBe(true);
  });
});
