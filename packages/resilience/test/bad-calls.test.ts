// Issue 5, bad input: a bad call gets a typed error and corrupts nothing. Acquiring an unknown
// resource, releasing a lock one does not hold, replaying a purged entry, and bad arguments to
// the pieces' methods: each is refused, and the piece's state is the same afterwards (checked by
// comparing everything it exposes before and after, then using it normally).
import { createNode, type Pid, startSupervisor } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import {
  DeadLetterQueue,
  FeatureFlags,
  isResilienceError,
  type ResilienceErrorCode,
  type ResilienceEvent,
  ResourceMediator,
  retry,
  Semaphore,
  SpawnOnceGuard,
  TokenBucket,
  Watchdog,
  watch,
} from '../src/index.js';
import { thrown } from './settle.js';

const expectCode = (error: unknown, code: ResilienceErrorCode, field?: string) => {
  expect(isResilienceError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
  if (field !== undefined) expect((error as { field?: string }).field).toBe(field);
};

function mediatorSetup() {
  const clock = new TestClock();
  const events: ResilienceEvent[] = [];
  const mediator = new ResourceMediator({
    clock,
    resources: ['memory', 'quota'],
    timeoutMs: 1000,
    observer: (e) => events.push(e),
  });
  /** Everything the mediator shows of its state. */
  const state = () => ({
    memory: mediator.holderOf('memory'),
    quota: mediator.holderOf('quota'),
    graph: [...mediator.waitForGraph()],
  });
  return { clock, mediator, events, state };
}

describe('resource mediator: bad calls leave it as it was', () => {
  it('refuses an unknown resource with ERR_UNKNOWN_RESOURCE, and nothing changes', async () => {
    const { mediator, events, state } = mediatorSetup();
    await mediator.acquire('agent-1', 'memory');
    const waiting = mediator.acquire('agent-2', 'memory');
    const before = state();
    const eventsBefore = events.length;
    expectCode(await mediator.acquire('agent-3', 'files').catch((e) => e), 'ERR_UNKNOWN_RESOURCE');
    // all or nothing: one unknown name refuses the whole request, the known one is not taken
    expectCode(
      await mediator.acquireAll('agent-3', ['quota', 'files']).catch((e) => e),
      'ERR_UNKNOWN_RESOURCE',
    );
    expect(state()).toEqual(before);
    expect(events.length).toBe(eventsBefore); // no grant, no denial: nothing happened
    mediator.release('agent-1', 'memory');
    expect((await waiting).token).toBe(2); // the queue still works as before
    expect((await mediator.acquire('agent-3', 'quota')).token).toBe(1);
  });

  it('refuses to release a lock the owner does not hold with ERR_NOT_HELD, and nothing changes', async () => {
    const { mediator, state } = mediatorSetup();
    const lease = await mediator.acquire('agent-1', 'memory');
    const before = state();
    expectCode(
      thrown(() => mediator.release('agent-2', 'memory')),
      'ERR_NOT_HELD',
    ); // not its own
    expectCode(
      thrown(() => mediator.release('agent-1', 'quota')),
      'ERR_NOT_HELD',
    ); // held by nobody
    expectCode(
      thrown(() => mediator.release('agent-1', 'files')),
      'ERR_UNKNOWN_RESOURCE',
    );
    expect(state()).toEqual(before);
    expect(lease.held).toBe(true);
    mediator.release('agent-1', 'memory'); // the holder's own release works
    expect(lease.held).toBe(false);
    expectCode(
      thrown(() => mediator.release('agent-1', 'memory')),
      'ERR_NOT_HELD',
    ); // twice: no
    lease.release(); // a lease's own release stays idempotent: a stale one does nothing
    expect(state()).toEqual({ memory: undefined, quota: undefined, graph: [] });
  });

  it('refuses bad owners and options with ERR_INVALID_OPTION, and nothing changes', async () => {
    const { mediator, state } = mediatorSetup();
    await mediator.acquire('agent-1', 'memory');
    const before = state();
    expectCode(await mediator.acquire('', 'quota').catch((e) => e), 'ERR_INVALID_OPTION', 'owner');
    expectCode(
      await mediator.acquire(undefined as never, 'quota').catch((e) => e),
      'ERR_INVALID_OPTION',
      'owner',
    );
    const nan = { timeoutMs: Number.NaN };
    expectCode(
      await mediator.acquire('a', 'quota', nan).catch((e) => e),
      'ERR_INVALID_OPTION',
      'timeoutMs',
    );
    const badSignal = { signal: 'stop' as never };
    expectCode(
      await mediator.acquire('a', 'quota', badSignal).catch((e) => e),
      'ERR_INVALID_OPTION',
      'signal',
    );
    expect(state()).toEqual(before);
  });
});

describe('dead-letter queue: replaying a purged entry', () => {
  it('fails with ERR_NOT_FOUND, runs nothing, and changes nothing', async () => {
    const clock = new TestClock();
    const ran: string[] = [];
    let failing = true;
    const dlq = new DeadLetterQueue<string>({
      clock,
      handler: (job) => {
        if (failing) throw new Error('down');
        ran.push(job);
      },
    });
    for (const job of ['a', 'b']) await dlq.run(job).catch(() => {});
    const [a, b] = await dlq.list();
    await dlq.purge({ ids: [a?.id as string] });
    failing = false;
    const stats = { ...dlq.stats };
    const before = await dlq.list();
    expectCode(await dlq.replay(a?.id as string).catch((e) => e), 'ERR_NOT_FOUND');
    expect(ran).toEqual([]); // purged work never runs again
    expect({ ...dlq.stats }).toEqual(stats);
    expect(await dlq.list()).toEqual(before);
    expect((await dlq.replay(b?.id as string)).replayed).toEqual([b?.id]); // the rest still works
    expect(ran).toEqual(['b']);
  });

  it('skips, without running it, an entry purged while a replay by filter is under way', async () => {
    const clock = new TestClock();
    const ran: string[] = [];
    const events: ResilienceEvent[] = [];
    let purgeB: (() => Promise<number>) | undefined;
    const dlq = new DeadLetterQueue<string>({
      clock,
      observer: (e) => events.push(e),
      handler: async (job) => {
        ran.push(job);
        if (job === 'a') await purgeB?.(); // while 'a' replays, someone purges 'b'
      },
    });
    for (const job of ['a', 'b', 'c']) await dlq.record({ input: job, error: new Error('x') });
    const ids = (await dlq.list()).map((e) => e.id);
    purgeB = () => dlq.purge({ ids: [ids[1] as string] });
    const report = await dlq.replay(() => true);
    expect(ran).toEqual(['a', 'c']);
    expect(report).toEqual({ replayed: [ids[0], ids[2]], failed: [], skipped: [ids[1]] });
    expect(events.filter((e) => e.type === 'deadletter.skipped')).toMatchObject([
      { id: ids[1], reason: 'purged' },
    ]);
    expect(await dlq.list()).toEqual([]);
  });

  it('refuses bad records and filters with ERR_INVALID_OPTION, and records nothing', async () => {
    const dlq = new DeadLetterQueue<string>({ clock: new TestClock() });
    const error = new Error('x');
    const bad = [
      ['attempts', dlq.record({ input: 'a', error, attempts: Number.NaN })],
      ['attempts', dlq.record({ input: 'a', error, attempts: 0 })],
      ['traceId', dlq.record({ input: 'a', error, traceId: '' })],
      ['failure', dlq.record(undefined as never)],
      ['filter.code', dlq.list({ code: 5 as never })],
      ['filter.ids', dlq.purge({ ids: 'all' as never })],
    ] as const;
    for (const [field, call] of bad)
      expectCode(await call.catch((e) => e), 'ERR_INVALID_OPTION', field);
    expect(await dlq.list()).toEqual([]);
    expect(dlq.stats).toMatchObject({ recorded: 0, purged: 0 });
  });
});

describe('limits and retry: bad arguments', () => {
  it('refuses a bad token count without touching the bucket', async () => {
    const clock = new TestClock();
    const bucket = new TokenBucket({ clock, ratePerSecond: 1, burst: 3 });
    bucket.tryTake();
    for (const n of [0, -2, Number.NaN, 1.5]) {
      expectCode(
        thrown(() => bucket.tryTake(n)),
        'ERR_INVALID_OPTION',
        'n',
      );
    }
    expect(bucket.tokens).toBe(2); // a negative take did not add tokens, NaN did not poison it
    const nan = { maxWaitMs: Number.NaN };
    expectCode(await bucket.take(nan).catch((e) => e), 'ERR_INVALID_OPTION', 'maxWaitMs');
    expect(bucket.tokens).toBe(2);
    expect(bucket.queued).toBe(0);
  });

  it('refuses a bad wait on a semaphore without taking a slot', async () => {
    const sem = new Semaphore({ clock: new TestClock(), maxConcurrent: 1 });
    const nan = { timeoutMs: Number.NaN };
    expectCode(await sem.acquire(nan).catch((e) => e), 'ERR_INVALID_OPTION', 'timeoutMs');
    expectCode(await sem.execute('work' as never).catch((e) => e), 'ERR_INVALID_OPTION', 'fn');
    expect(sem.running).toBe(0);
    expect(sem.queued).toBe(0);
  });

  it('rejects a random source or classifier that answers out of range instead of waiting for ever', async () => {
    const clock = new TestClock();
    const failing = () => {
      throw Object.assign(new Error('busy'), { status: 503 });
    };
    const badRandom = retry({ clock, random: () => 1.5 });
    expectCode(await badRandom.execute(failing).catch((e) => e), 'ERR_INVALID_OPTION', 'random');
    const badClassifier = retry({ clock, classify: () => undefined as never });
    expectCode(
      await badClassifier.execute(failing).catch((e) => e),
      'ERR_INVALID_OPTION',
      'classify',
    );
    const nanAfter = retry({
      clock,
      classify: () => ({ transient: true, retryAfterMs: Number.NaN }),
    });
    expectCode(await nanAfter.execute(failing).catch((e) => e), 'ERR_INVALID_OPTION', 'classify');
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('flags, spawn-once and watchdog: bad arguments', () => {
  it('refuses a non-boolean switch and keeps the flag as it was', () => {
    const flags = new FeatureFlags({ clock: new TestClock(), flags: { search: true } });
    expectCode(
      thrown(() => flags.set('search', 'off' as never)),
      'ERR_INVALID_OPTION',
      'enabled',
    );
    expectCode(
      thrown(() => flags.disable('search', 42 as never)),
      'ERR_INVALID_OPTION',
      'reason',
    );
    expectCode(
      thrown(() => flags.set('serach', false)),
      'ERR_UNKNOWN_FLAG',
    );
    expect(flags.snapshot()).toEqual({ search: true });
  });

  it('refuses a bad key, start or policy without starting anything', async () => {
    const node = createNode({ name: 'bad', clock: new TestClock() });
    const sup = (await startSupervisor(node, {
      strategy: 'simple_one_for_one',
      children: [{ id: 't', start: { behaviour: async () => {} }, restart: 'temporary' }],
    })) as Pid;
    const guard = new SpawnOnceGuard({ node, supervisor: sup });
    const processes = node.processes().length;
    const calls = [
      ['key', guard.spawnOnce('', { extra: 1 })],
      ['start', guard.spawnOnce('k', undefined as never)],
      ['start', guard.spawnOnce('k', { id: 'x', start: { behaviour: async () => {} } } as never)],
      ['policy', guard.spawnOnce('k', { extra: 1 }, { policy: 'merge' as never })],
      ['signal', guard.spawnOnce('k', { extra: 1 }, { signal: 'stop' as never })],
    ] as const;
    for (const [field, call] of calls)
      expectCode(await call.catch((e) => e), 'ERR_INVALID_OPTION', field);
    expect(guard.count()).toBe(0);
    expect(node.processes().length).toBe(processes);
  });

  it('refuses to watch with a NaN timeout, before asking the watchdog', async () => {
    const node = createNode({ name: 'dog', clock: new TestClock() });
    const dog = node.spawn(Watchdog, { args: { timeoutMs: 1000 } });
    const worker = node.spawn(async (ctx) => {
      await ctx.receive();
    });
    expectCode(
      await watch(node, dog, worker, Number.NaN).catch((e) => e),
      'ERR_INVALID_OPTION',
      'timeoutMs',
    );
    expectCode(
      await watch(node, dog, 'worker' as never).catch((e) => e),
      'ERR_INVALID_OPTION',
      'pid',
    );
    expect(node.isAlive(dog)).toBe(true);
  });
});
