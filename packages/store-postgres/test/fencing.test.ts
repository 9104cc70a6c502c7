import { isStoreError } from '@warden/agents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresAgentStore } from '../src/index.js';
import { checkpointOf, userMessage } from './checkpoint-fixtures.js';
import { type TestSchema, testSchema } from './test-database.js';

let db: TestSchema;
let a: PostgresAgentStore;
let b: PostgresAgentStore;

beforeAll(async () => {
  db = testSchema('fencing');
  a = await db.open();
  b = await db.open();
});
afterAll(() => db?.drop());

const fenced = (e: unknown) => isStoreError(e, 'ERR_FENCED');

describe('leases with fencing tokens across two nodes', () => {
  it('grants a free key to one node and answers the holder to the other', async () => {
    const first = await a.leases.acquire('spawn:planner', 'node-a', 1_000, 0, { pid: 1 });
    const second = await b.leases.acquire('spawn:planner', 'node-b', 1_000, 10);
    expect(first).toMatchObject({
      acquired: true,
      lease: { owner: 'node-a', token: 1, expiresAt: 1_000 },
    });
    expect(second).toMatchObject({
      acquired: false,
      held: { owner: 'node-a', token: 1, data: { pid: 1 } },
    });
  });

  it('extends a lease for its holder under the same token, and keeps its data', async () => {
    await a.leases.acquire('extend', 'node-a', 1_000, 0, 'pid-1');
    const again = await a.leases.acquire('extend', 'node-a', 1_000, 500);
    expect(again).toMatchObject({
      acquired: true,
      lease: { token: 1, expiresAt: 1_500, data: 'pid-1' },
    });
  });

  it('grants an expired lease to another node under the next token and fences the old holder out', async () => {
    const old = await a.leases.acquire('run:t-1', 'node-a', 1_000, 0);
    if (!old.acquired) throw new Error('not granted');
    expect(await b.leases.acquire('run:t-1', 'node-b', 1_000, 999)).toMatchObject({
      acquired: false,
    });
    const taken = await b.leases.acquire('run:t-1', 'node-b', 1_000, 1_000);
    expect(taken).toMatchObject({ acquired: true, lease: { owner: 'node-b', token: 2 } });
    await expect(a.leases.renew(old.lease, 1_000, 1_001)).rejects.toSatisfy(fenced);
    expect(await a.leases.release(old.lease)).toBe(false);
    expect(await a.leases.current('run:t-1')).toMatchObject({ owner: 'node-b', token: 2 });
  });

  it('never repeats a token for a key, even after a release', async () => {
    const one = await a.leases.acquire('released', 'node-a', 1_000, 0);
    if (!one.acquired) throw new Error('not granted');
    expect(await a.leases.release(one.lease)).toBe(true);
    expect(await a.leases.current('released')).toBeUndefined();
    const two = await a.leases.acquire('released', 'node-a', 1_000, 1);
    expect(two).toMatchObject({ acquired: true, lease: { token: 2 } });
  });

  it('grants a free key to exactly one of many nodes racing for it', async () => {
    for (let k = 0; k < 20; k++) {
      const answers = await Promise.all(
        ['a1', 'b1', 'a2', 'b2'].map((owner, i) =>
          (i % 2 === 0 ? a : b).leases.acquire(`race-${k}`, owner, 1_000, 0),
        ),
      );
      const granted = answers.filter((x) => x.acquired);
      expect(granted).toHaveLength(1);
      const winner = granted[0]?.acquired === true ? granted[0].lease.owner : '';
      for (const x of answers) if (!x.acquired) expect(x.held.owner).toBe(winner);
    }
  });

  it('refuses a checkpoint commit under a token that was taken over, writing nothing', async () => {
    const key = 'run:t-fence';
    const old = await a.leases.acquire(key, 'node-a', 1_000, 0);
    if (!old.acquired) throw new Error('not granted');
    const fenceA = { key, token: old.lease.token };
    await a.checkpoints.commit(checkpointOf('t-fence', 1, [userMessage('by a')]), {
      expectedHead: 0,
      fence: fenceA,
    });
    // node-a stops renewing (paused, partitioned); node-b takes the run over after expiry.
    const taken = await b.leases.acquire(key, 'node-b', 1_000, 2_000);
    if (!taken.acquired) throw new Error('not taken over');
    const late = a.checkpoints.commit(
      checkpointOf('t-fence', 2, [userMessage('by a'), userMessage('late write by a')]),
      { expectedHead: 1, fence: fenceA },
    );
    await expect(late).rejects.toSatisfy(fenced);
    await expect(late).rejects.toMatchObject({ detail: { token: 1, current: 2 } });
    expect((await b.checkpoints.latest('t-fence'))?.messages).toEqual([userMessage('by a')]);
    await b.checkpoints.commit(
      checkpointOf('t-fence', 2, [userMessage('by a'), userMessage('by b')]),
      { expectedHead: 1, unchangedBefore: 1, fence: { key, token: taken.lease.token } },
    );
    expect((await a.checkpoints.latest('t-fence'))?.messages).toEqual([
      userMessage('by a'),
      userMessage('by b'),
    ]);
  });

  it('refuses a commit fenced by a lease that was released or never granted', async () => {
    const lease = await a.leases.acquire('run:gone', 'node-a', 1_000, 0);
    if (!lease.acquired) throw new Error('not granted');
    await a.leases.release(lease.lease);
    await expect(
      a.checkpoints.commit(checkpointOf('t-gone', 1, []), {
        expectedHead: 0,
        fence: { key: 'run:gone', token: 1 },
      }),
    ).rejects.toSatisfy(fenced);
    await expect(
      a.checkpoints.commit(checkpointOf('t-gone', 1, []), {
        expectedHead: 0,
        fence: { key: 'run:never', token: 1 },
      }),
    ).rejects.toSatisfy(fenced);
    expect(await a.checkpoints.latest('t-gone')).toBeUndefined();
  });

  it('orders a takeover and a fenced commit racing it: nothing lands under the old token after the new one is granted', async () => {
    for (let k = 0; k < 10; k++) {
      const key = `run:racing-${k}`;
      const threadId = `t-racing-${k}`;
      const old = await a.leases.acquire(key, 'node-a', 1_000, 0);
      if (!old.acquired) throw new Error('not granted');
      await a.checkpoints.commit(checkpointOf(threadId, 1, []), {
        expectedHead: 0,
        fence: { key, token: 1 },
      });
      const late = a.checkpoints
        .commit(checkpointOf(threadId, 2, [userMessage('a')]), {
          expectedHead: 1,
          fence: { key, token: 1 },
        })
        .then(
          () => 'committed',
          (e: unknown) => (fenced(e) ? 'fenced' : e),
        );
      const taken = await b.leases.acquire(key, 'node-b', 1_000, 5_000);
      if (!taken.acquired) throw new Error('not taken over');
      // Once the takeover is granted, node-b reads the head: whatever node-a did is in it or was refused.
      const seen = await b.checkpoints.latest(threadId);
      const outcome = await late;
      expect(['committed', 'fenced']).toContain(outcome);
      expect(seen?.version).toBe(outcome === 'committed' ? 2 : 1);
    }
  });
});
