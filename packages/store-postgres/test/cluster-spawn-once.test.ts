import { ClusterSpawnOnce, isStoreError, type KeyLease, NOTHING_SPENT } from '@warden/agents';
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
import { afterAll, describe, expect, it } from 'vitest';
import type { PostgresAgentStore } from '../src/index.js';
import { settleWithStore } from './io-participant.js';
import { type TestSchema, testSchema } from './test-database.js';

const db: TestSchema = testSchema('spawn');
afterAll(() => db.drop());

const instance = defineActor<string, string>({
  init: (node) => node,
  handleCall: (_request, _from, node) => reply(node, node),
});

describe('ClusterSpawnOnce on PostgreSQL leases', () => {
  it('runs one instance for two nodes with a store each, and hands the key over when its node dies', async () => {
    const clock = new TestClock(1_000);
    const network = createInMemoryNetwork();
    const nodes: Node[] = [];
    const stores: PostgresAgentStore[] = [];
    const starts: string[] = [];
    const nodeOn = async (name: string) => {
      const node = createNode({ name, clock, transport: network.transport() });
      const store = await db.open({ clock });
      settleWithStore(clock, store);
      nodes.push(node);
      stores.push(store);
      const once = new ClusterSpawnOnce({ node, leases: store.leases, leaseMs: 3_000 });
      const start = async (_lease: KeyLease) => {
        starts.push(name);
        return (await node.start(instance, { args: name })) as Pid;
      };
      return { node, store, spawn: () => once.spawnOnce('planner:t-1', start) };
    };
    const a = await nodeOn('a');
    const b = await nodeOn('b');

    const first = await a.spawn();
    const joined = await b.spawn();
    expect(first).toMatchObject({ outcome: 'started', lease: { token: 1 } });
    expect(joined.outcome).toBe('joined');
    expect(samePid(joined.pid, first.pid)).toBe(true);
    expect(await b.node.call(joined.pid, 'where')).toBe('a');
    await clock.advance(9_000); // renewed on a's clock, through PostgreSQL
    expect((await b.spawn()).outcome).toBe('joined');

    // Node a dies; its lease row stays until it runs out, then b takes the key over.
    await a.node.exit(first.pid, 'kill');
    await a.store.close(); // the keeper's release cannot reach the database any more
    await a.node.stop();
    await clock.advance(3_000);
    const taken = await b.spawn();
    expect(taken).toMatchObject({ outcome: 'started', lease: { token: 2 } });
    expect(await b.node.call(taken.pid, 'where')).toBe('b');
    expect(starts).toEqual(['a', 'b']);
    // What a's instance would still write under token 1 is refused.
    const commit = (token: number) =>
      b.store.checkpoints.commit(
        {
          threadId: 't-1',
          version: 1,
          agent: 'planner',
          task: 'plan',
          step: 1,
          state: 'planning',
          messages: [],
          spent: NOTHING_SPENT,
        },
        { expectedHead: 0, fence: { key: 'planner:t-1', token } },
      );
    await expect(commit(1)).rejects.toSatisfy((e) => isStoreError(e, 'ERR_FENCED'));
    await commit(2);
    for (const node of nodes) await node.stop();
  });
});
