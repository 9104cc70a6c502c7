import { defineAgent, recallTool, runTask } from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import { createInMemoryNetwork, createNode, type Pid, startSupervisor } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../src/index.js';
import { settleWithStore } from './io-participant.js';
import { databaseUrl, type TestSchema, testSchema } from './test-database.js';

const db: TestSchema = testSchema('agents');
afterAll(() => db.drop());

describe('an agent on PostgreSQL', () => {
  it('resumes on another node from the last step the first node committed', async () => {
    const clock = new TestClock();
    const network = createInMemoryNetwork();
    const url = databaseUrl();
    const schema = db.name;
    /** Three recalls, one a step, then the answer. */
    const model = createScriptedModel({
      clock,
      latencyMs: 1_000,
      script: (request) =>
        request.messages.length >= 7
          ? { text: 'the launch is planned' }
          : { toolCalls: [{ name: 'recall', input: { query: `q${request.messages.length}` } }] },
    });
    const nodeOn = async (name: string) => {
      const node = createNode({ name, clock, transport: network.transport() });
      // #region durable-agent
      const store = await openPostgresStore({ connectionString: url, schema });
      const planner = defineAgent({
        name: 'planner',
        model,
        system: 'You plan launches.',
        tools: [recallTool(store.memory)],
        store,
      });
      // #endregion
      settleWithStore(clock, store);
      await startSupervisor(node, {
        children: [{ id: 'planner', start: { behaviour: planner, options: { name: 'planner' } } }],
      });
      return { node, store, planner: node.whereis('planner') as Pid };
    };
    const first = await nodeOn('first');
    const asked = runTask(first.node, first.planner, {
      task: 'plan the launch',
      threadId: 'launch-1',
    });
    asked.catch(() => {});
    await clock.advance(2_500); // two steps committed, the third in flight
    const before = await first.store.checkpoints.latest('launch-1');
    expect(before?.step).toBe(2);
    await first.node.stop(); // the node dies mid-run
    const callsOnFirst = model.calls.length;

    const second = await nodeOn('second');
    const resumed = runTask(second.node, second.planner, {
      task: 'plan the launch',
      threadId: 'launch-1',
    });
    await clock.advance(10_000);
    expect(await resumed).toMatchObject({ outcome: 'done', text: 'the launch is planned' });
    // The second node went on from the head the first one left, not from the start.
    expect(model.calls[callsOnFirst]?.request.messages).toEqual(before?.messages);
    expect(model.calls.length - callsOnFirst).toBe(2);
    const head = await second.store.checkpoints.latest('launch-1');
    expect(head?.result?.outcome).toBe('done');
    expect(head?.messages.slice(0, before?.messages.length)).toEqual(before?.messages);
    await second.node.stop();
  });
});
