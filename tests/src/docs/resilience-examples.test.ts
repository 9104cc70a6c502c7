/**
 * The code examples of docs/patterns/*.md, as regions that run and pass (see examples.test.ts
 * and docs-examples.test.ts for the rule: each docs block equals its region word for word).
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ActorContext,
  createNode,
  type Pid,
  startSupervisor,
  whichChildren,
} from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { CircuitBreaker } from '@warden/machines';
import {
  bulkhead,
  DeadLetterQueue,
  DegradationLadder,
  FeatureFlags,
  heartbeat,
  isResilienceError,
  type ResilienceEvent,
  ResourceMediator,
  RetryBudget,
  retry,
  SpawnOnceGuard,
  TokenBucket,
  timeout,
  Watchdog,
  wrap,
} from '@warden/resilience';
import { describe, expect, it } from 'vitest';

const unavailable = () => Object.assign(new Error('unavailable'), { status: 503 });

describe('resilience docs examples', () => {
  it('retry with a shared budget (retry.md)', async () => {
    const clock = new TestClock();
    let calls = 0;
    const fetchModel = async (_prompt: string, _signal: AbortSignal) => {
      calls++;
      if (calls < 3) throw unavailable();
      return 'an answer';
    };
    // #region retry
    const budget = new RetryBudget({ clock, ratio: 0.1 }); // shared by every caller
    const policy = retry({ clock, budget, maxAttempts: 4, baseMs: 200, deadlineMs: 30_000 });
    const answer = policy.execute(({ signal }) => fetchModel('hello', signal));
    // #endregion
    await clock.advance(30_000);
    expect(await answer).toBe('an answer');
    expect(calls).toBe(3);
  });

  it('limits and wrap (limits.md)', async () => {
    const clock = new TestClock();
    const events: ResilienceEvent[] = [];
    const observer = (e: ResilienceEvent) => events.push(e);
    const summarise = async (text: string, _signal: AbortSignal) => text.slice(0, 5);
    // #region wrap
    const quota = new TokenBucket({ clock, ratePerSecond: 5, burst: 10, maxWaitMs: 2000 });
    const breaker = new CircuitBreaker({ clock, failure: { threshold: 5 } });
    const policy = wrap(
      retry({ clock, maxAttempts: 3, observer }),
      breaker,
      timeout(10_000, { clock, observer }),
      bulkhead({ clock, maxConcurrent: 4, maxQueue: 16, observer }),
      quota,
    );
    const summary = await policy.execute(({ signal }) => summarise('a long text', signal));
    // #endregion
    expect(summary).toBe('a lon');
    expect(events).toEqual([]);
  });

  it('timeout (timeout.md)', async () => {
    const clock = new TestClock();
    const aborted: unknown[] = [];
    const model = {
      complete: (_prompt: string, signal: AbortSignal) =>
        new Promise<string>(() =>
          signal.addEventListener('abort', () => aborted.push(signal.reason)),
        ),
    };
    // #region timeout
    const policy = timeout(30_000, { clock });
    const answer = policy.execute(({ signal }) => model.complete('hello', signal));
    // 30 s later the call's signal aborts, and `answer` rejects with ERR_TIMEOUT
    // #endregion
    const outcome = answer.catch((e: unknown) => e);
    await clock.advance(29_999);
    expect(aborted).toEqual([]);
    await clock.advance(1);
    expect(isResilienceError(await outcome, 'ERR_TIMEOUT')).toBe(true);
    expect(isResilienceError(aborted[0], 'ERR_TIMEOUT')).toBe(true);
  });

  it('resource mediator (resource-mediator.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    const store = new Map<string, string>();
    // #region mediator
    const mediator = new ResourceMediator({ clock, node, resources: ['memory', 'quota:model'] });
    const sync = node.spawn(async (ctx) => {
      // Both or neither, in canonical order: deadlock-free by construction.
      const [memory] = await mediator.acquireAll(ctx.self, ['memory', 'quota:model'], {
        signal: ctx.signal,
        timeoutMs: 60_000,
      });
      // Every write presents the fencing token; a stale one is refused with ERR_FENCED.
      mediator.guard(memory, (token) => store.set('notes', `written under token ${token}`));
      // Exiting releases the locks, even without a release() (the mediator monitors `sync`).
    });
    // #endregion
    await clock.settle();
    expect(node.isAlive(sync)).toBe(false);
    expect(store.get('notes')).toBe('written under token 1');
    expect(mediator.holderOf('memory')).toBeUndefined();
  });

  it('deadlock detection (resource-mediator.md)', async () => {
    const clock = new TestClock();
    const mediator = new ResourceMediator({ clock, resources: ['a.md', 'b.md'] });
    // #region deadlock
    await mediator.acquire('agent-1', 'a.md');
    await mediator.acquire('agent-2', 'b.md');
    const first = mediator.acquire('agent-1', 'b.md'); // waits for agent-2
    const second = mediator.acquire('agent-2', 'a.md'); // would wait for agent-1: a cycle
    await expect(second).rejects.toMatchObject({ code: 'ERR_DEADLOCK' });
    mediator.releaseAll('agent-2'); // the victim backs off...
    expect((await first).token).toBe(2); // ...and agent-1 goes on: b.md's second holder
    // #endregion
  });

  it('spawn once (spawn-once.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    const memorySync = async (ctx: ActorContext) => {
      await ctx.receive();
    };
    // #region spawn-once
    const agents = (await startSupervisor(node, {
      strategy: 'simple_one_for_one',
      children: [{ id: 'subagent', start: { behaviour: memorySync }, restart: 'temporary' }],
    })) as Pid;
    const guard = new SpawnOnceGuard({ node, supervisor: agents, ceilings: { sync: 1 } });
    const first = await guard.spawnOnce('memory-sync', { extra: undefined }, { taskType: 'sync' });
    const again = await guard.spawnOnce('memory-sync', { extra: undefined }, { taskType: 'sync' });
    // first.outcome === 'started'; again.outcome === 'joined', with the same pid
    // #endregion
    expect(first.outcome).toBe('started');
    expect(again.outcome).toBe('joined');
    expect(await whichChildren(node, agents)).toHaveLength(1);
  });

  it('watchdog (watchdog.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    const saved: string[] = [];
    // #region watchdog
    const worker = async (ctx: ActorContext) => {
      ctx.trapExit(true); // to save its state on the soft stop
      for (let step = 0; ; step++) {
        const message = await ctx.receive(undefined, { timeout: 1000 }).catch(() => 'tick');
        if (message !== 'tick') break; // the watchdog's shutdown arrived as an EXIT message
        if (step < 3) heartbeat(ctx, 'watchdog'); // after three steps it hangs: no more beats
      }
      saved.push('state saved');
    };
    const sup = await startSupervisor(node, {
      children: [
        {
          id: 'watchdog',
          start: {
            behaviour: Watchdog,
            args: { timeoutMs: 30_000, graceMs: 5000 },
            options: { name: 'watchdog' },
          },
        },
        { id: 'worker', start: { behaviour: worker }, restart: 'permanent' },
      ],
    });
    // #endregion
    await clock.advance(33_000);
    expect(saved).toEqual(['state saved']);
    const rows = await whichChildren(node, sup as Pid);
    expect(rows.map((r) => r.id)).toEqual(['watchdog', 'worker']);
  });

  it('degradation ladder and feature flags (degradation.md)', async () => {
    const clock = new TestClock();
    const model = { answer: async (q: string, _signal: AbortSignal) => `model: ${q}` };
    const cache = new Map([['hello', 'cached: hello']]);
    // #region ladder
    const breaker = new CircuitBreaker({ clock, failure: { threshold: 3 } });
    const flags = new FeatureFlags({ clock, flags: { 'model-answers': true } });
    const ladder = new DegradationLadder<string, string>({
      clock,
      queueCapacity: 1000,
      levels: [
        {
          name: 'model',
          health: breaker,
          serve: (q) => breaker.execute((signal) => model.answer(q, signal)),
        },
        {
          name: 'cache',
          health: flags.health('model-answers'),
          serve: (q) => cache.get(q) ?? Promise.reject(new Error('miss')),
        },
        {
          name: 'static',
          health: flags.health('model-answers'),
          serve: () => 'Please try again shortly.',
        },
        { name: 'later', queue: true },
      ],
    });
    ladder.onLevelChange((to, from) => console.info(`serving from ${to} (was ${from})`));
    const served = await ladder.execute('hello'); // { queued: false, level: 'model', value: 'model: hello' }
    // #endregion
    expect(served).toEqual({ queued: false, level: 'model', value: 'model: hello' });
  });

  it('feature flags (degradation.md)', () => {
    const clock = new TestClock();
    const search = () => ['result'];
    // #region flags
    const flags = new FeatureFlags({ clock, flags: { 'web-search': true } });
    const off = flags.subscribe('web-search', (on) =>
      console.info(`web search ${on ? 'on' : 'off'}`),
    );
    flags.disable('web-search', 'provider incident'); // a flag.changed event, and the subscriber
    const results = flags.isEnabled('web-search') ? search() : [];
    off();
    // #endregion
    expect(results).toEqual([]);
    expect(() => flags.guard('web-search', search)).toThrow(/switched off/);
  });

  it('dead letters (dead-letters.md)', async () => {
    const clock = new TestClock();
    let calls = 0;
    const sendEmail = async (to: string, _signal: AbortSignal) => {
      if (++calls <= 3) throw Object.assign(new Error('reset'), { code: 'ECONNRESET' });
      return `sent to ${to}`;
    };
    const run = async () => {
      // #region dead-letters
      const policy = retry({ clock, maxAttempts: 3 });
      const dlq = new DeadLetterQueue<{ to: string }, string>({
        clock,
        capacity: 10_000,
        handler: (job, { signal }) => policy.execute(() => sendEmail(job.to, signal)),
      });
      await dlq.run({ to: 'ada@example.com' }, { traceId: 'trace-42' }).catch(() => {});
      const [entry] = await dlq.list({ code: 'ERR_RETRIES_EXHAUSTED' }); // its input, reason, attempts: 3
      // ...later, once the mail server is back, through the same handler:
      const report = await dlq.replay({ traceId: 'trace-42' }); // { replayed: [id], failed: [], skipped: [] }
      // #endregion
      return { entry, report, dlq };
    };
    const outcome = run();
    await clock.advance(1000);
    const { entry, report, dlq } = await outcome;
    expect(entry?.attempts).toBe(3);
    expect(report).toEqual({ replayed: [entry?.id], failed: [], skipped: [] });
    expect(await dlq.list()).toEqual([]);
  });
});

describe('resilience docs pages', () => {
  const dir = join(import.meta.dirname, '..', '..', '..', 'docs', 'patterns');
  const pages = readdirSync(dir).filter((f) => f.endsWith('.md'));

  it('give each resilience pattern a page of its own', () => {
    for (const page of [
      'retry.md',
      'timeout.md',
      'limits.md',
      'resource-mediator.md',
      'spawn-once.md',
      'watchdog.md',
      'degradation.md',
      'feature-flags.md',
      'dead-letters.md',
      'circuit-breaker.md',
    ]) {
      expect(pages).toContain(page);
    }
  });

  it.each(pages)('%s opens with the failure it prevents, then the remedy', (page) => {
    const paragraphs = readFileSync(join(dir, page), 'utf8').split(/\n\s*\n/);
    expect(paragraphs[0]).toMatch(/^# /);
    expect(paragraphs[1]).toMatch(/^\*\*The failure:\*\* /);
    expect(paragraphs[2]).toMatch(/^\*\*The remedy:\*\* /);
  });
});
