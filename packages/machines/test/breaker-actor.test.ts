// One breaker per dependency, shared by many processes as an actor: it grants permits and records
// outcomes; the protected calls run in the callers.
import { type ActorContext, createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import {
  breakerActor,
  breakerStats,
  callThroughBreaker,
  isMachinesError,
  isolateBreaker,
  resetBreaker,
  saveBreakerActor,
} from '../src/index.js';
import { down, hang, ok } from './breaker-helpers.js';

function setup(options: Parameters<typeof breakerActor>[0] = {}) {
  const clock = new TestClock();
  const node = createNode({ name: 'breakers', clock });
  const pid = node.spawn(
    breakerActor({ failure: { threshold: 2 }, openTimeout: { initialMs: 1000 }, ...options }),
    {
      name: 'search-breaker',
    },
  );
  return { clock, node, pid };
}

describe('breaker actor shared by many callers', () => {
  it('trips on failures seen by one process and rejects the calls of another', async () => {
    const { clock, node } = setup();
    const results: unknown[] = [];
    const caller = (fn: () => Promise<unknown>) => async (ctx: ActorContext) => {
      results.push(await callThroughBreaker(ctx, 'search-breaker', fn).catch((e: unknown) => e));
    };
    for (const fn of [down, down, ok]) {
      node.spawn(caller(fn));
      await clock.settle();
    }
    expect(results).toHaveLength(3);
    expect(isMachinesError(results[2], 'ERR_BREAKER_OPEN')).toBe(true);
    expect((results[2] as { retryAt: number }).retryAt).toBe(1000);
    expect(await breakerStats(node, 'search-breaker')).toMatchObject({ state: 'open' });
  });

  it('runs the protected call in the caller, so a hung call never blocks the breaker', async () => {
    const { clock, node } = setup();
    let ranIn: unknown;
    const hung = node.spawn(async (ctx) => {
      await callThroughBreaker(ctx, 'search-breaker', (signal) => {
        ranIn = ctx.self;
        return hang(signal);
      });
    });
    await clock.settle();
    expect(ranIn).toBe(hung);
    expect(await callThroughBreaker(node, 'search-breaker', ok)).toBe('ok');
  });

  it('enforces the call timeout in the caller and records it as a failure', async () => {
    const { clock, node } = setup({ failure: { threshold: 1 }, callTimeoutMs: 300 });
    const call = callThroughBreaker(node, 'search-breaker', hang).catch((e: unknown) => e);
    await clock.advance(300);
    expect(isMachinesError(await call, 'ERR_BREAKER_TIMEOUT')).toBe(true);
    expect(await breakerStats(node, 'search-breaker')).toMatchObject({ state: 'open' });
  });

  it('gives a half-open trial slot back when its caller dies before settling (item 49)', async () => {
    const { clock, node } = setup({ failure: { threshold: 1 } });
    await callThroughBreaker(node, 'search-breaker', down).catch(() => {});
    await clock.advance(1000);
    const prober = node.spawn(async (ctx) => {
      await callThroughBreaker(ctx, 'search-breaker', hang);
    });
    await clock.settle();
    expect(await breakerStats(node, 'search-breaker')).toMatchObject({
      state: 'half_open',
      trials: 1,
    });
    node.exit(prober, 'kill');
    await clock.settle();
    expect(await breakerStats(node, 'search-breaker')).toMatchObject({
      state: 'half_open',
      trials: 0,
    });
    expect(await callThroughBreaker(node, 'search-breaker', ok)).toBe('ok');
    expect(await breakerStats(node, 'search-breaker')).toMatchObject({ state: 'closed' });
  });

  it('runs the fallback when the shared breaker denies the call', async () => {
    const { node } = setup();
    await isolateBreaker(node, 'search-breaker');
    const value = await callThroughBreaker(node, 'search-breaker', ok, {
      fallback: (error) => `fallback: ${error.code}`,
    });
    expect(value).toBe('fallback: ERR_BREAKER_ISOLATED');
    expect(await resetBreaker(node, 'search-breaker')).toBe('closed');
  });

  it('starts from a saved breaker given as spawn args', async () => {
    const { clock, node } = setup({ failure: { threshold: 1 } });
    await callThroughBreaker(node, 'search-breaker', down).catch(() => {});
    const saved = await saveBreakerActor(node, 'search-breaker');
    const copy = node.spawn(
      breakerActor({ failure: { threshold: 1 }, openTimeout: { initialMs: 1000 } }),
      { args: saved },
    );
    expect(await breakerStats(node, copy)).toMatchObject({ state: 'open', retryAt: 1000 });
    await clock.advance(1000);
    expect(await breakerStats(node, copy)).toMatchObject({ state: 'half_open' });
  });

  it('cancels its open timer when the actor ends', async () => {
    const { clock, node, pid } = setup({ failure: { threshold: 1 } });
    await callThroughBreaker(node, pid, down).catch(() => {});
    expect(clock.pendingTimers).toBe(1);
    node.exit(pid, 'kill');
    await clock.settle();
    expect(clock.pendingTimers).toBe(0);
  });

  it('counts errors that the client isFailure rejects as successes', async () => {
    const { node } = setup({ failure: { threshold: 1 } });
    const error = await callThroughBreaker(
      node,
      'search-breaker',
      async () => {
        throw new RangeError('not found');
      },
      { isFailure: (e) => !(e instanceof RangeError) },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect(await breakerStats(node, 'search-breaker')).toMatchObject({ state: 'closed' });
  });
});
