// The degradation ladder's queue level with a store: what it accepts is in the store before the
// caller hears "queued", survives a restart (a new ladder on the same store replays it, in order,
// to onReplayed), keeps its replay count, and a store that fails refuses work instead of losing it.
import { TestClock } from '@warden/core/testing';
import { describe, expect, it, vi } from 'vitest';
import {
  DegradationLadder,
  isResilienceError,
  MemoryQueueStore,
  type QueuedRequest,
  type QueueStore,
  type Replayed,
  type ResilienceEvent,
} from '../src/index.js';
import { FakeBreaker } from './fake-breaker.js';
import { thrown, track } from './settle.js';

interface World {
  readonly clock: TestClock;
  readonly store: QueueStore<string>;
  /** The primary's health; it outlives ladders, as a provider's outage outlives a restart. */
  readonly primary: FakeBreaker;
  readonly served: string[];
  readonly replayed: Replayed<string, string>[];
  readonly events: ResilienceEvent[];
  /** Requests the primary fails on (while its breaker still lets them through). */
  readonly failing: Set<string>;
  start(options?: {
    queueCapacity?: number;
    maxReplays?: number;
    onReplayed?: (r: Replayed<string, string>) => Promise<void> | void;
  }): DegradationLadder<string, string>;
}

function world(store: QueueStore<string> = new MemoryQueueStore<string>()): World {
  const clock = new TestClock();
  const primary = new FakeBreaker();
  const served: string[] = [];
  const replayed: Replayed<string, string>[] = [];
  const events: ResilienceEvent[] = [];
  const failing = new Set<string>();
  return {
    clock,
    store,
    primary,
    served,
    replayed,
    events,
    failing,
    start: (options = {}) =>
      new DegradationLadder<string, string>({
        clock,
        store,
        queueCapacity: options.queueCapacity ?? 10,
        maxReplays: options.maxReplays ?? 3,
        observer: (e) => events.push(e),
        onReplayed: options.onReplayed ?? ((r) => void replayed.push(r)),
        levels: [
          {
            name: 'primary',
            health: primary,
            serve: (q) => {
              served.push(q);
              if (failing.has(q)) throw new Error(`no answer for ${q}`);
              return `P(${q})`;
            },
          },
          { name: 'later', queue: true },
        ],
      }),
  };
}

const ids = async (store: QueueStore<string>) => (await store.list()).map((e) => e.request);

describe('durable ladder queue: across a restart', () => {
  it('replays what an earlier ladder accepted, in order, to onReplayed once a level recovers', async () => {
    const w = world();
    const first = w.start();
    expect(await first.restore()).toBe(0);
    w.primary.set('open');
    const tickets = [];
    for (const q of ['a', 'b', 'c']) tickets.push(await first.execute(q));
    expect(tickets.map((t) => t.queued)).toEqual([true, true, true]);
    expect(await ids(w.store)).toEqual(['a', 'b', 'c']);
    const results = tickets.map((t) => (t.queued ? track(t.result) : undefined));
    first.close(); // the node goes down; the callers go with it
    await w.clock.settle();
    expect(results.map((r) => isResilienceError(r?.error, 'ERR_CLOSED'))).toEqual([
      true,
      true,
      true,
    ]);

    const second = w.start();
    expect(await second.restore()).toBe(3);
    expect(second.queued).toBe(3);
    await w.clock.settle();
    expect(w.served).toEqual([]); // still open: nothing replays yet
    w.primary.set('closed');
    await w.clock.settle();
    expect(w.served).toEqual(['a', 'b', 'c']);
    expect(w.replayed.map((r) => [r.request, r.ok && r.answer])).toEqual([
      ['a', { level: 'primary', value: 'P(a)' }],
      ['b', { level: 'primary', value: 'P(b)' }],
      ['c', { level: 'primary', value: 'P(c)' }],
    ]);
    expect(w.replayed.map((r) => r.id)).toEqual(tickets.map((t) => (t.queued ? t.key : undefined)));
    expect(await w.store.size()).toBe(0);
    expect(second.queued).toBe(0);
    expect(w.events.filter((e) => e.type === 'degrade.restored')).toMatchObject([
      { loaded: 0, backlog: 0 },
      { loaded: 3, backlog: 0 },
    ]);
  });

  it('puts new requests behind the restored ones', async () => {
    const w = world();
    const first = w.start();
    await first.restore();
    w.primary.set('open');
    await first.execute('old');
    first.close();
    const second = w.start();
    await second.restore();
    const ticket = await second.execute('new'); // queues behind 'old'
    expect(ticket.queued).toBe(true);
    w.primary.set('closed');
    await w.clock.settle();
    expect(w.served).toEqual(['old', 'new']);
    expect(w.replayed.map((r) => r.request)).toEqual(['old']); // 'new' went to its caller
    expect(ticket.queued && (await ticket.result)).toEqual({ level: 'primary', value: 'P(new)' });
  });

  it('refuses queue-level requests until restore() has resolved, so none overtakes the restored', async () => {
    const w = world();
    const ladder = w.start();
    w.primary.set('open');
    const error = await ladder.execute('early').catch((e: unknown) => e);
    expect(isResilienceError(error, 'ERR_DEGRADED')).toBe(true);
    expect((error as Error).message).toMatch(/restore\(\)/);
    expect(await w.store.size()).toBe(0);
    await ladder.restore();
    expect((await ladder.execute('later')).queued).toBe(true);
  });

  it('writes each failed replay back, so a restart does not give a request more replays', async () => {
    const w = world();
    w.failing.add('q');
    const first = w.start({ maxReplays: 3 });
    await first.restore();
    const ticket = await first.execute('q'); // primary fails: queued
    expect(ticket.queued).toBe(true);
    await w.clock.settle(); // first replay fails at once
    expect((await w.store.list()).map((e) => e.replays)).toEqual([1]);
    first.close();
    await w.clock.settle();

    const second = w.start({ maxReplays: 3 });
    await second.restore();
    await w.clock.settle(); // second replay fails
    expect((await w.store.list()).map((e) => e.replays)).toEqual([2]);
    w.primary.set('open');
    w.primary.set('closed'); // third fails: handed back, to onReplayed
    await w.clock.settle();
    expect(w.served).toEqual(['q', 'q', 'q', 'q']); // the first try, then three replays
    expect(w.replayed).toHaveLength(1);
    const [out] = w.replayed;
    expect(out?.ok).toBe(false);
    expect(out?.replays).toBe(3);
    expect(isResilienceError(out?.ok === false ? out.error : undefined, 'ERR_DEGRADED')).toBe(true);
    expect(await w.store.size()).toBe(0);
  });
});

describe('durable ladder queue: a backlog beyond capacity', () => {
  it('loads up to capacity, leaves the rest in the store, refuses new requests until it is replayed', async () => {
    const w = world();
    const first = w.start({ queueCapacity: 10 });
    await first.restore();
    w.primary.set('open');
    for (const q of ['a', 'b', 'c', 'd', 'e']) await first.execute(q);
    first.close();

    const second = w.start({ queueCapacity: 2 });
    expect(await second.restore()).toBe(5);
    expect(second.queued).toBe(5);
    expect(w.events.filter((e) => e.type === 'degrade.restored').at(-1)).toMatchObject({
      loaded: 2,
      backlog: 3,
    });
    const refused = await second.execute('f').catch((e: unknown) => e);
    expect(isResilienceError(refused, 'ERR_DEGRADED')).toBe(true);
    expect(await ids(w.store)).toEqual(['a', 'b', 'c', 'd', 'e']); // nothing dropped

    w.failing.add('b');
    w.primary.set('closed'); // 'a' replays, 'b' fails: the queue waits with room for one
    await w.clock.settle();
    expect(w.replayed.map((r) => r.request)).toEqual(['a']);
    const overtaking = await second.execute('f').catch((e: unknown) => e); // would pass c, d, e
    expect(isResilienceError(overtaking, 'ERR_DEGRADED')).toBe(true);
    w.failing.delete('b');
    w.primary.set('open');
    w.primary.set('closed');
    await w.clock.settle();
    expect(w.replayed.map((r) => r.request)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(second.queued).toBe(0);
    expect(await w.store.size()).toBe(0);
    w.primary.set('open');
    expect((await second.execute('g')).queued).toBe(true); // room again
  });
});

/** A store whose calls complete on the test clock, after the next of `delays` each. */
function slowStore(
  clock: TestClock,
  delays: number[],
): QueueStore<string> & { held: () => string[] } {
  const inner = new MemoryQueueStore<string>();
  const later = <T>(op: () => T): Promise<T> =>
    new Promise((resolve) => clock.setTimer(delays.shift() ?? 0, () => resolve(op())));
  return {
    held: () => inner.list().map((e) => e.request),
    put: (item: QueuedRequest<string>) => later(() => inner.put(item)), // written on completion
    delete: (id: string) => later(() => inner.delete(id)),
    list: () => later(() => inner.list()),
    size: () => inner.size(),
  };
}

describe('durable ladder queue: the store writes first, in order', () => {
  it('tells the caller "queued" only once the store holds the request', async () => {
    const clock = new TestClock();
    const store = slowStore(clock, [0, 50]);
    const primary = new FakeBreaker();
    primary.set('open');
    const ladder = new DegradationLadder<string, string>({
      clock,
      store,
      onReplayed: () => {},
      levels: [
        { name: 'primary', health: primary, serve: (q) => q },
        { name: 'later', queue: true },
      ],
    });
    const restored = ladder.restore();
    await clock.advance(0);
    await restored;
    const ticket = track(ladder.execute('q'));
    await clock.settle();
    expect(ticket.done).toBe(false);
    expect(await store.size()).toBe(0);
    await clock.advance(50);
    expect(ticket.done).toBe(true);
    expect(await store.size()).toBe(1);
  });

  it('keeps queue order when the store would finish later writes first', async () => {
    const clock = new TestClock();
    // list for restore, then puts that would complete in reverse order if they overlapped
    const store = slowStore(clock, [0, 30, 20, 10]);
    const primary = new FakeBreaker();
    const answered: string[] = [];
    primary.set('open');
    const ladder = new DegradationLadder<string, string>({
      clock,
      store,
      onReplayed: () => {},
      levels: [
        {
          name: 'primary',
          health: primary,
          serve: (q) => {
            answered.push(q);
            return q;
          },
        },
        { name: 'later', queue: true },
      ],
    });
    const restored = ladder.restore();
    await clock.advance(0);
    await restored;
    const tickets = ['a', 'b', 'c'].map((q) => track(ladder.execute(q)));
    await clock.advance(100);
    expect(tickets.every((t) => t.done && t.error === undefined)).toBe(true);
    expect(store.held()).toEqual(['a', 'b', 'c']);
    primary.set('closed');
    for (let i = 0; i < 5; i++) await clock.advance(100);
    expect(answered).toEqual(['a', 'b', 'c']);
  });
});

/** A MemoryQueueStore whose calls fail while their `fail` flag is up. */
function faultyStore() {
  const inner = new MemoryQueueStore<string>();
  const fail = { put: new Set<string>(), delete: 0, list: 0 };
  const store: QueueStore<string> = {
    put: async (item) => {
      if (fail.put.has(item.request)) throw new Error('disk full');
      inner.put(item);
    },
    delete: async (id) => {
      if (fail.delete > 0) {
        fail.delete--;
        throw new Error('connection reset');
      }
      return inner.delete(id);
    },
    list: async () => {
      if (fail.list > 0) {
        fail.list--;
        throw new Error('connection refused');
      }
      return inner.list();
    },
    size: () => inner.size(),
  };
  return { store, fail, inner };
}

describe('durable ladder queue: a store that fails', () => {
  it('refuses a request it could not put with ERR_STORE_FAILED, and never replays it', async () => {
    const { store, fail } = faultyStore();
    const w = world(store);
    const ladder = w.start();
    await ladder.restore();
    w.primary.set('open');
    fail.put.add('b');
    const outcomes = await Promise.allSettled(['a', 'b', 'c'].map((q) => ladder.execute(q)));
    const [, refused] = outcomes;
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const error = refused?.status === 'rejected' ? refused.reason : undefined;
    expect(isResilienceError(error, 'ERR_STORE_FAILED')).toBe(true);
    expect((error as Error).cause).toMatchObject({ message: 'disk full' });
    expect(w.events).toContainEqual(
      expect.objectContaining({
        type: 'degrade.store_failed',
        op: 'put',
        error: 'Error: disk full',
      }),
    );
    expect(await ids(store)).toEqual(['a', 'c']);
    w.primary.set('closed');
    await w.clock.settle();
    expect(w.served).toEqual(['a', 'c']);
  });

  it('gives the answer when a delete fails, announces it, and deletes it with the next one', async () => {
    const { store, fail } = faultyStore();
    const w = world(store);
    const ladder = w.start();
    await ladder.restore();
    w.primary.set('open');
    const first = await ladder.execute('a');
    fail.delete = 1;
    w.primary.set('closed');
    await w.clock.settle();
    expect(first.queued && (await first.result)).toEqual({ level: 'primary', value: 'P(a)' });
    expect(w.events).toContainEqual(
      expect.objectContaining({ type: 'degrade.store_failed', op: 'delete' }),
    );
    expect(await ids(store)).toEqual(['a']); // kept: a restart now would replay it (at least once)
    w.primary.set('open');
    await ladder.execute('b');
    w.primary.set('closed');
    await w.clock.settle();
    expect(await store.size()).toBe(0);
  });

  it('rejects restore with ERR_STORE_FAILED when the store cannot list, and may be tried again', async () => {
    const { store, fail, inner } = faultyStore();
    inner.put({ id: 'x-1', request: 'old', at: 0, replays: 0 });
    const w = world(store);
    const ladder = w.start();
    fail.list = 1;
    const error = await ladder.restore().catch((e: unknown) => e);
    expect(isResilienceError(error, 'ERR_STORE_FAILED')).toBe(true);
    expect(w.events).toContainEqual(
      expect.objectContaining({ type: 'degrade.store_failed', op: 'list' }),
    );
    expect(await ladder.restore()).toBe(1);
    await w.clock.settle();
    expect(w.replayed.map((r) => r.request)).toEqual(['old']);
  });

  it('refuses a store row that is not a queued request, loading nothing', async () => {
    const { store, inner } = faultyStore();
    inner.put({ id: 'x-1', request: 'old', at: 0, replays: 0 });
    inner.put({ id: 'x-2', request: 'bad', at: 0, replays: -1 });
    const w = world(store);
    const ladder = w.start();
    const error = await ladder.restore().catch((e: unknown) => e);
    expect(isResilienceError(error, 'ERR_STORE_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/entry 1/);
    expect(ladder.queued).toBe(0);
    expect(await store.size()).toBe(2);
  });
});

describe('durable ladder queue: onReplayed and options', () => {
  it('deletes a restored request only after onReplayed has resolved', async () => {
    const w = world();
    const first = w.start();
    await first.restore();
    w.primary.set('open');
    await first.execute('a');
    first.close();
    let done!: () => void;
    const second = w.start({ onReplayed: () => new Promise<void>((r) => (done = r)) });
    await second.restore();
    w.primary.set('closed');
    await w.clock.settle();
    expect(await ids(w.store)).toEqual(['a']);
    done();
    await w.clock.settle();
    expect(await w.store.size()).toBe(0);
  });

  it('forgets a restored request whose onReplayed throws, rethrowing the failure in a macrotask', async () => {
    const w = world();
    const first = w.start();
    await first.restore();
    w.primary.set('open');
    await first.execute('a');
    first.close();
    const rethrown: unknown[] = [];
    const original = globalThis.setImmediate;
    const spy = vi.spyOn(globalThis, 'setImmediate').mockImplementation(((fn: () => void) =>
      original(() => {
        try {
          fn();
        } catch (error) {
          rethrown.push(error);
        }
      })) as never);
    try {
      const second = w.start({
        onReplayed: () => {
          throw new Error('bookkeeping failed');
        },
      });
      await second.restore();
      w.primary.set('closed');
      await w.clock.settle();
      await w.clock.settle(); // the macrotask of the rethrow
    } finally {
      spy.mockRestore();
    }
    expect(rethrown).toMatchObject([{ message: 'bookkeeping failed' }]);
    expect(w.served).toEqual(['a']); // served once, not again for the observer's failure
    expect(await w.store.size()).toBe(0);
  });

  it("restores once: a second restore() shares the first one's result", async () => {
    const w = world();
    const first = w.start();
    await first.restore();
    w.primary.set('open');
    await first.execute('a');
    first.close();
    const second = w.start();
    expect(await Promise.all([second.restore(), second.restore()])).toEqual([1, 1]);
    expect(await second.restore()).toBe(1);
    expect(second.queued).toBe(1);
  });

  it('keeps queued requests in the store on close, their callers told ERR_CLOSED', async () => {
    const w = world();
    const ladder = w.start();
    await ladder.restore();
    w.primary.set('open');
    const ticket = await ladder.execute('a');
    const result = ticket.queued ? track(ticket.result) : undefined;
    ladder.close();
    await w.clock.settle();
    expect(isResilienceError(result?.error, 'ERR_CLOSED')).toBe(true);
    expect(await ids(w.store)).toEqual(['a']);
    await expect(ladder.restore()).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });

  it.each([
    ['store', { store: {}, onReplayed: () => {} }, true],
    ['onReplayed', { store: new MemoryQueueStore() }, true],
    ['onReplayed', { onReplayed: 'log' }, true],
    ['store', { store: new MemoryQueueStore(), onReplayed: () => {} }, false],
  ])('rejects a bad %s, naming it', (field, options, queue) => {
    const levels = [
      { name: 'a', serve: () => 1 },
      ...(queue ? [{ name: 'later', queue: true as const }] : []),
    ];
    const error = thrown(
      () => new DegradationLadder({ clock: new TestClock(), levels, ...options } as never),
    );
    expect(error).toMatchObject({ code: 'ERR_INVALID_OPTION', field });
  });

  it('rejects restore() without a store', async () => {
    const ladder = new DegradationLadder<string, string>({
      clock: new TestClock(),
      levels: [{ name: 'later', queue: true }],
    });
    await expect(ladder.restore()).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTION',
      field: 'store',
    });
  });
});

describe('MemoryQueueStore', () => {
  it('lists oldest first and keeps the place of an entry put again', () => {
    const store = new MemoryQueueStore<string>();
    store.put({ id: '1', request: 'a', at: 0, replays: 0 });
    store.put({ id: '2', request: 'b', at: 1, replays: 0 });
    store.put({ id: '1', request: 'a', at: 0, replays: 2 });
    expect(store.list().map((e) => [e.id, e.replays])).toEqual([
      ['1', 2],
      ['2', 0],
    ]);
    expect(store.delete('1')).toBe(true);
    expect(store.delete('1')).toBe(false);
    expect(store.size()).toBe(1);
  });
});
