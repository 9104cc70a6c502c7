// Deadlines and aborts around the policy's waits, and bad options rejected with typed errors.
import { isWardenError } from '@warden/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createModelPolicy,
  createResilientModel,
  isAgentError,
  isModelCallError,
} from '../../src/index.js';
import { createScriptedModel, faults } from '../../src/testing/index.js';
import { ask, settle, textOf, type World, world } from './world.js';

let w: World;
afterEach(() => w?.stop());

describe('deadlines', () => {
  it('cuts a hung call at the retry deadline, counts it against the breaker, and degrades', async () => {
    w = world();
    const primary = createScriptedModel({
      clock: w.clock,
      provider: 'p',
      timeoutMs: 600_000,
      script: { text: 'never' },
      faults: [{ effect: faults.hang() }],
    });
    const fallback = createScriptedModel({
      clock: w.clock,
      provider: 'f',
      script: { text: 'fallback' },
    });
    const policy = createModelPolicy({ clock: w.clock, retry: { deadlineMs: 20_000 } });
    const model = createResilientModel({ policy, primary, fallbacks: [fallback] });
    const out = settle(model.generate(ask('q')));
    await w.clock.advance(19_999);
    expect(out.done).toBe(false);
    await w.clock.advance(1);
    await w.clock.settle();
    expect(textOf(out.value)).toBe('fallback');
    expect(primary.calls.map((c) => c.outcome)).toEqual(['aborted']);
    expect(policy.breaker('p').stats.consecutiveFailures).toBe(1);
  });

  it('gives up a 429 whose Retry-After is past the limit, and degrades at once', async () => {
    w = world();
    const primary = createScriptedModel({
      clock: w.clock,
      provider: 'p',
      script: { text: 'primary' },
      faults: [{ calls: [0], effect: faults.rateLimited(600_000) }],
    });
    const model = createResilientModel({
      node: w.node,
      primary,
      cache: false,
      queue: false,
      staticAnswer: 'later',
    });
    const out = settle(model.generate(ask('q')));
    await w.clock.settle();
    expect(out.value?.model).toBe('warden:static');
    expect(primary.calls).toHaveLength(1);
  });
});

describe('aborts in the policy waits', () => {
  it('leaves the wait for a provider slot with ERR_ABORTED, calling nothing', async () => {
    w = world();
    const primary = createScriptedModel({
      clock: w.clock,
      latencyMs: 10_000,
      script: { text: 'ok' },
    });
    const policy = createModelPolicy({ clock: w.clock, limits: { '*': { concurrency: 1 } } });
    const model = createResilientModel({ policy, primary });
    const first = settle(model.generate(ask('first')));
    const controller = new AbortController();
    const second = settle(model.generate(ask('second', { signal: controller.signal })));
    await w.clock.advance(1000);
    expect(policy.limiter('scripted').concurrency.queued).toBe(1);
    controller.abort();
    await w.clock.settle();
    expect(isWardenError(second.error, 'ERR_ABORTED')).toBe(true);
    expect(policy.limiter('scripted').concurrency.queued).toBe(0);
    await w.clock.advance(10_000);
    expect(textOf(first.value)).toBe('ok');
    expect(primary.calls).toHaveLength(1);
  });

  it('leaves the Retry-After pause with ERR_ABORTED', async () => {
    w = world();
    const primary = createScriptedModel({
      clock: w.clock,
      script: { text: 'ok' },
      faults: [{ calls: [0], effect: faults.rateLimited(30_000) }],
    });
    const model = createResilientModel({ node: w.node, primary });
    const controller = new AbortController();
    const out = settle(model.generate(ask('q', { signal: controller.signal })));
    await w.clock.advance(5000);
    controller.abort();
    await w.clock.settle();
    expect(isWardenError(out.error, 'ERR_ABORTED')).toBe(true);
    expect(primary.calls).toHaveLength(1);
  });
});

describe('bad options', () => {
  const clock = () => w.clock;
  const cases: [string, () => unknown, string][] = [
    ['no clock', () => createModelPolicy({} as never), 'clock'],
    [
      'a bad limit',
      () => createModelPolicy({ clock: clock(), limits: { x: { burst: 0 } } }),
      'limits.x.burst',
    ],
    ['no primary', () => createResilientModel({ clock: clock() } as never), 'primary'],
    [
      'a bad fallback',
      () => createResilientModel({ clock: clock(), primary: model(), fallbacks: [{}] as never }),
      'fallbacks[0]',
    ],
    [
      'a bad static answer',
      () => createResilientModel({ clock: clock(), primary: model(), staticAnswer: 3 as never }),
      'staticAnswer',
    ],
    [
      'a bad queue capacity',
      () => createResilientModel({ clock: clock(), primary: model(), queue: { capacity: 0 } }),
      'queue.capacity',
    ],
  ];
  const model = () => createScriptedModel({ clock: w.clock, script: { text: '' } });
  for (const [name, make, field] of cases) {
    it(`rejects ${name} with ERR_INVALID_OPTION naming ${field}`, () => {
      w = world();
      let error: unknown;
      try {
        make();
      } catch (e) {
        error = e;
      }
      expect(isAgentError(error, 'ERR_INVALID_OPTION')).toBe(true);
      expect((error as { field?: string }).field).toBe(field);
      expect(isModelCallError(error)).toBe(false);
    });
  }
});
