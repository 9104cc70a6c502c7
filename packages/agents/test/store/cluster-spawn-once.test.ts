import {
  createInMemoryNetwork,
  createNode,
  defineActor,
  type Node,
  type Pid,
  reply,
  samePid,
} from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Checkpoint,
  type ClusterSpawnEvent,
  ClusterSpawnOnce,
  type ClusterStart,
  isStoreError,
  type KeyLease,
  type LeaseStore,
  MemoryAgentStore,
  NOTHING_SPENT,
  StoreError,
} from '../../src/index.js';

const LEASE_MS = 3_000;
const KEY = 'planner:t-42';

/** An instance that says which node it runs on and the token it was started under. */
const instance = defineActor<{ node: string; token: number }, { node: string; token: number }>({
  init: (args) => args,
  handleCall: (_request, _from, state) => reply(state, state),
});

/** A lease store one node reaches through, which the test can cut off from that node. */
function reachable(leases: LeaseStore): LeaseStore & { cut(): void } {
  let cut = false;
  const gate = <T>(call: () => Promise<T>): Promise<T> =>
    cut
      ? Promise.reject(new StoreError('ERR_STORE_UNAVAILABLE', 'the store is out of reach'))
      : call();
  return {
    cut: () => {
      cut = true;
    },
    acquire: (...args) => gate(() => leases.acquire(...args)),
    renew: (...args) => gate(() => leases.renew(...args)),
    release: (...args) => gate(() => leases.release(...args)),
    current: (...args) => gate(() => leases.current(...args)),
  };
}

interface World {
  readonly clock: TestClock;
  readonly store: MemoryAgentStore;
  readonly nodes: Record<'a' | 'b', Node>;
  readonly reach: Record<'a' | 'b', ReturnType<typeof reachable>>;
  readonly once: Record<'a' | 'b', ClusterSpawnOnce>;
  readonly starts: string[];
  readonly events: ClusterSpawnEvent[];
  start(on: 'a' | 'b'): ClusterStart;
}

let world: World | undefined;
afterEach(async () => {
  for (const node of Object.values(world?.nodes ?? {})) await node.stop();
  world = undefined;
});

/** Two nodes over the in-memory transport, sharing one store's leases, on one TestClock. */
function twoNodes(): World {
  const clock = new TestClock(1_000);
  const network = createInMemoryNetwork();
  const store = new MemoryAgentStore({ clock });
  const nodes = {
    a: createNode({ name: 'a', clock, transport: network.transport() }),
    b: createNode({ name: 'b', clock, transport: network.transport() }),
  };
  const reach = { a: reachable(store.leases), b: reachable(store.leases) };
  const once = {
    a: new ClusterSpawnOnce({ node: nodes.a, leases: reach.a, leaseMs: LEASE_MS, recheckMs: 100 }),
    b: new ClusterSpawnOnce({ node: nodes.b, leases: reach.b, leaseMs: LEASE_MS, recheckMs: 100 }),
  };
  const starts: string[] = [];
  const events: ClusterSpawnEvent[] = [];
  for (const node of Object.values(nodes)) {
    node.inspect((event) => {
      if (event.type === 'published' && String(event.event.type).startsWith('cluster_spawn.')) {
        events.push(event.event as unknown as ClusterSpawnEvent);
      }
    });
  }
  world = {
    clock,
    store,
    nodes,
    reach,
    once,
    starts,
    events,
    start: (on) => async (lease: KeyLease) => {
      starts.push(on);
      return (await nodes[on].start(instance, {
        args: { node: on, token: lease.token },
      })) as Pid;
    },
  };
  return world;
}

describe('ClusterSpawnOnce', () => {
  it('starts the instance on the node granted the key and answers its pid to the others', async () => {
    const w = twoNodes();
    const first = await w.once.a.spawnOnce(KEY, w.start('a'));
    expect(first).toMatchObject({ outcome: 'started', lease: { token: 1 } });
    const second = await w.once.b.spawnOnce(KEY, w.start('b'));
    expect(second.outcome).toBe('joined');
    expect(samePid(second.pid, first.pid)).toBe(true);
    expect(w.starts).toEqual(['a']);
    // The pid crossed as wire data and reaches the instance across the transport.
    expect(await w.nodes.b.call(second.pid, 'who')).toEqual({ node: 'a', token: 1 });
    expect((await w.store.leases.current(KEY))?.data).toEqual(first.pid.toJSON());
    expect(w.once.a.running(KEY)).toBe(first.pid);
    expect(w.once.b.running(KEY)).toBeUndefined();
  });

  it('starts once for calls racing on one node and across nodes', async () => {
    const w = twoNodes();
    const racing = Promise.all(
      (['a', 'b', 'a', 'b', 'a', 'b'] as const).map((on) => w.once[on].spawnOnce(KEY, w.start(on))),
    );
    // The nodes that were not granted the key look again, on the clock, until its pid is out.
    await w.clock.advance(1_000);
    const answers = await racing;
    expect(w.starts).toHaveLength(1);
    expect(answers.filter((x) => x.outcome === 'started')).toHaveLength(1);
    for (const x of answers) expect(samePid(x.pid, answers[0]?.pid)).toBe(true);
  });

  it('keeps the lease while the instance lives, renewing it on the node’s clock', async () => {
    const w = twoNodes();
    const first = await w.once.a.spawnOnce(KEY, w.start('a'));
    await w.clock.advance(10 * LEASE_MS);
    const later = await w.once.b.spawnOnce(KEY, w.start('b'));
    expect(later.outcome).toBe('joined');
    expect(samePid(later.pid, first.pid)).toBe(true);
    const lease = (await w.store.leases.current(KEY)) as KeyLease;
    expect(lease.token).toBe(1);
    expect(lease.expiresAt).toBeGreaterThan(w.clock.now());
    expect(w.starts).toEqual(['a']);
  });

  it('gives the key back when the instance exits; the next request starts anew under the next token', async () => {
    const w = twoNodes();
    const first = await w.once.a.spawnOnce(KEY, w.start('a'));
    await w.nodes.a.stopProcess(first.pid);
    await w.clock.settle();
    expect(await w.store.leases.current(KEY)).toBeUndefined();
    expect(w.once.a.running(KEY)).toBeUndefined();
    const next = await w.once.b.spawnOnce(KEY, w.start('b'));
    expect(next).toMatchObject({ outcome: 'started', lease: { token: 2 } });
    expect(await w.nodes.a.call(next.pid, 'who')).toEqual({ node: 'b', token: 2 });
    expect(w.events.map((e) => e.type)).toEqual([
      'cluster_spawn.started',
      'cluster_spawn.ended',
      'cluster_spawn.started',
    ]);
  });

  it('takes the key over once the holder’s node died, under a token that fences the old instance out', async () => {
    const w = twoNodes();
    const first = await w.once.a.spawnOnce(KEY, w.start('a'));
    const fence = { key: KEY, token: first.lease.token };
    const commit = (version: number, by: string, token: number) => {
      const checkpoint: Checkpoint = {
        threadId: 't-42',
        version,
        agent: 'planner',
        task: 'plan',
        step: version,
        state: 'planning',
        messages: [{ role: 'assistant', content: [{ type: 'text', text: by }] }],
        spent: NOTHING_SPENT,
      };
      return w.store.checkpoints.commit(checkpoint, {
        expectedHead: version - 1,
        fence: { key: KEY, token },
      });
    };
    await commit(1, 'a', fence.token);
    // Node a dies without a word to the store: its lease is left to run out.
    w.reach.a.cut();
    await w.nodes.a.stop();
    const early = await w.once.b.spawnOnce(KEY, w.start('b'));
    expect(early).toMatchObject({ outcome: 'joined', lease: { token: 1 } });
    await w.clock.advance(LEASE_MS);
    const taken = await w.once.b.spawnOnce(KEY, w.start('b'));
    expect(taken).toMatchObject({ outcome: 'started', lease: { token: 2, owner: w.once.b.owner } });
    expect(await w.nodes.b.call(taken.pid, 'who')).toEqual({ node: 'b', token: 2 });
    // The old instance's token no longer writes; the new one's does.
    await expect(commit(2, 'a, late', fence.token)).rejects.toSatisfy((e) =>
      isStoreError(e, 'ERR_FENCED'),
    );
    await commit(2, 'b', taken.lease.token);
    expect((await w.store.checkpoints.latest('t-42'))?.version).toBe(2);
  });

  it('kills its instance when it can no longer renew, before the lease can pass to another node', async () => {
    const w = twoNodes();
    const first = await w.once.a.spawnOnce(KEY, w.start('a'));
    const { expiresAt } = first.lease;
    w.reach.a.cut(); // a partition between node a and the store: the instance itself is fine
    await w.clock.advance(expiresAt - w.clock.now() - 1);
    expect(w.nodes.a.isAlive(first.pid)).toBe(false);
    expect(w.once.a.running(KEY)).toBeUndefined();
    expect(w.events.at(-1)).toMatchObject({ type: 'cluster_spawn.lease_lost', why: 'unrenewed' });
    await w.clock.advance(1);
    const taken = await w.once.b.spawnOnce(KEY, w.start('b'));
    expect(taken).toMatchObject({ outcome: 'started', lease: { token: 2 } });
  });

  it('kills its instance when a renewal is refused because the key changed hands', async () => {
    const w = twoNodes();
    const first = await w.once.a.spawnOnce(KEY, w.start('a'));
    // Released behind the guard's back, then granted to someone else.
    await w.store.leases.release(first.lease);
    await w.store.leases.acquire(KEY, 'elsewhere', LEASE_MS, w.clock.now());
    await w.clock.advance(w.once.a.renewMs);
    expect(w.nodes.a.isAlive(first.pid)).toBe(false);
    expect(w.events.at(-1)).toMatchObject({ type: 'cluster_spawn.lease_lost', why: 'fenced' });
    expect((await w.store.leases.current(KEY))?.owner).toBe('elsewhere');
  });

  it('gives the key back when the start fails, and lets the next request start', async () => {
    const w = twoNodes();
    const broken: ClusterStart = async () => {
      throw new Error('no capacity');
    };
    await expect(w.once.a.spawnOnce(KEY, broken)).rejects.toThrow('no capacity');
    await w.clock.settle();
    expect(await w.store.leases.current(KEY)).toBeUndefined();
    const next = await w.once.b.spawnOnce(KEY, w.start('b'));
    expect(next).toMatchObject({ outcome: 'started', lease: { token: 2 } });
  });

  it('waits for a holder still starting its instance, then joins it', async () => {
    const w = twoNodes();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: ClusterStart = async (lease) => {
      await gate;
      return w.start('a')(lease);
    };
    const first = w.once.a.spawnOnce(KEY, slow);
    await w.clock.settle();
    let joined: Pid | undefined;
    const second = w.once.b.spawnOnce(KEY, w.start('b')).then((x) => {
      joined = x.pid;
      return x;
    });
    await w.clock.advance(500);
    expect(joined).toBeUndefined();
    release();
    await w.clock.advance(200);
    const [started, join] = await Promise.all([first, second]);
    expect(join.outcome).toBe('joined');
    expect(samePid(join.pid, started.pid)).toBe(true);
    expect(w.starts).toEqual(['a']);
  });

  it('stops waiting for a holder still starting when the caller aborts', async () => {
    const w = twoNodes();
    const never: ClusterStart = () => new Promise<Pid>(() => {});
    void w.once.a.spawnOnce(KEY, never).catch(() => {});
    await w.clock.settle();
    const abort = new AbortController();
    const waiting = w.once.b.spawnOnce(KEY, w.start('b'), { signal: abort.signal });
    await w.clock.advance(300);
    abort.abort(new Error('the caller gave up'));
    await expect(waiting).rejects.toThrow('the caller gave up');
    expect(w.starts).toEqual([]);
  });

  it('answers ERR_ALREADY_RUNNING when a holder publishes no pid within a lease length', async () => {
    const w = twoNodes();
    const never: ClusterStart = () => new Promise<Pid>(() => {});
    void w.once.a.spawnOnce(KEY, never).catch(() => {});
    await w.clock.settle();
    const waiting = w.once.b.spawnOnce(KEY, w.start('b'));
    waiting.catch(() => {});
    await w.clock.advance(LEASE_MS + 500);
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_ALREADY_RUNNING' });
    expect(w.starts).toEqual([]);
  });

  it('times leases by the clock the nodes share, not by each node’s own', async () => {
    // Two processes' node clocks: each starts near 0 when its process does.
    const network = createInMemoryNetwork();
    const clocks = { a: new TestClock(0), b: new TestClock(5_000_000) };
    const wall = new TestClock(1_700_000_000_000);
    const store = new MemoryAgentStore();
    const nodes = {
      a: createNode({ name: 'a', clock: clocks.a, transport: network.transport() }),
      b: createNode({ name: 'b', clock: clocks.b, transport: network.transport() }),
    };
    const once = (on: 'a' | 'b') =>
      new ClusterSpawnOnce({
        node: nodes[on],
        leases: store.leases,
        leaseMs: LEASE_MS,
        leaseClock: wall,
      });
    try {
      const first = await once('a').spawnOnce(
        KEY,
        async () => (await nodes.a.start(instance, { args: { node: 'a', token: 1 } })) as Pid,
      );
      expect(first.lease.expiresAt).toBe(wall.now() + LEASE_MS);
      // Node b's own clock is far past that expiry; the shared one is not: b joins.
      const second = await once('b').spawnOnce(KEY, async () => {
        throw new Error('b must not start a second instance');
      });
      expect(second.outcome).toBe('joined');
      expect(samePid(second.pid, first.pid)).toBe(true);
    } finally {
      await nodes.a.stop();
      await nodes.b.stop();
    }
  });

  it('refuses bad options with ERR_INVALID_OPTION naming the field', () => {
    const w = twoNodes();
    const bad = (options: object, field: string) =>
      expect(
        () => new ClusterSpawnOnce({ node: w.nodes.a, leases: w.store.leases, ...options }),
      ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', field }));
    bad({ leaseMs: 0 }, 'leaseMs');
    bad({ leaseMs: 1_000, renewMs: 1_000 }, 'renewMs');
    bad({ recheckMs: Number.NaN }, 'recheckMs');
    bad({ leases: {} }, 'leases');
    bad({ leaseClock: {} }, 'leaseClock');
  });
});
