// An agent keeps its checkpoints, journal, audit log and memory in a SQLite file, and another
// instance, on another node with the file opened anew (a restarted process), resumes its thread
// from the last committed checkpoint instead of starting over.
import {
  type AgentResult,
  defineAgent,
  isStaleHeadError,
  type Message,
  type ModelRequest,
  recallTool,
  runTask,
} from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import { createNode, isWardenError, type Node, type Pid } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openSqliteStore, type SqliteAgentStore } from '../src/index.js';
import { tempFolder } from './temp-db.js';

let folder: ReturnType<typeof tempFolder>;
beforeEach(() => {
  folder = tempFolder();
});
afterEach(() => folder.remove());

/** A restarted process: its own clock, node and connection to the same file. */
async function processOn(path: string, name: string) {
  const clock = new TestClock();
  const node = createNode({ name, clock });
  const store = await openSqliteStore({ path, clock });
  return { clock, node, store };
}

/** The agent a process defines: every durable part in the store. */
function clerk(store: SqliteAgentStore, clock: TestClock, latencyMs: number) {
  const model = createScriptedModel({
    clock,
    latencyMs,
    // Looks something up each step until the context holds six answers, then answers.
    script: (request: ModelRequest) => {
      const results = request.messages.filter((m: Message) => m.role === 'tool').length;
      return results >= 3
        ? { text: `done after ${results} lookups` }
        : { toolCalls: [{ name: 'recall', input: { query: `refund ${results}` } }] };
    },
  });
  const agent = defineAgent({
    name: 'clerk',
    model,
    system: 'You reconcile refunds.',
    tools: [recallTool(store.memory)],
    checkpoints: store.checkpoints,
    memory: store.memory,
    journal: store.journal,
    audit: store.audit,
  });
  return { agent, model };
}

function outcome<T>(promise: Promise<T>) {
  const state: { value?: T; error?: unknown; done: boolean } = { done: false };
  promise.then(
    (value) => Object.assign(state, { value, done: true }),
    (error: unknown) => Object.assign(state, { error, done: true }),
  );
  return state;
}

describe('an agent on a SQLite store', () => {
  it('runs the README example', async () => {
    const path = folder.file('agents.db');
    const clock = new TestClock();
    const node = createNode({ name: 'app', clock });
    const model = createScriptedModel({ clock, script: { text: 'Nothing to reconcile.' } });
    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      printed.push(args.join(' '));
    });
    // #region readme
    const store = await openSqliteStore({ path, clock: node.clock });
    const agent = defineAgent({
      name: 'clerk',
      model,
      system: 'You reconcile refunds.',
      tools: [recallTool(store.memory)],
      checkpoints: store.checkpoints,
      memory: store.memory,
      journal: store.journal,
      audit: store.audit,
    });
    const result = await runTask(node, node.spawn(agent), { task: 'Reconcile', threadId: 'r-1' });
    // Asked again with the same threadId, on this node or after a restart, it answers from the
    // file instead of running again.
    console.log(result.outcome, (await store.checkpoints.latest('r-1'))?.result?.text);
    // done Nothing to reconcile.
    await store.close();
    // #endregion
    log.mockRestore();
    expect(printed).toEqual(['done Nothing to reconcile.']);
    expect(result).toMatchObject({ outcome: 'done', text: 'Nothing to reconcile.' });
    const reopened = await openSqliteStore({ path });
    expect((await reopened.checkpoints.latest('r-1'))?.result).toEqual(result);
    await reopened.close();
    await node.stop();
  });

  it('runs a task to completion with its state in the file', async () => {
    const path = folder.file('agents.db');
    const { clock, node, store } = await processOn(path, 'one');
    await store.memory.put([{ threadId: 'th-1', step: 0, text: 'refund 0 issued for order 7' }]);
    const { agent, model } = clerk(store, clock, 0);
    const result = outcome(
      runTask(node, node.spawn(agent), { task: 'reconcile', threadId: 'th-1' }),
    );
    await clock.settle();
    expect(result.value).toMatchObject({ outcome: 'done', text: 'done after 3 lookups', steps: 4 });
    expect(model.calls).toHaveLength(4);
    const head = await store.checkpoints.latest('th-1');
    expect(head?.result).toEqual(result.value);
    expect(head?.messages.map((m) => m.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'assistant',
      'tool',
      'assistant',
      'tool',
      'assistant',
    ]);
    // The first lookup found what was in memory, through the file.
    expect(head?.messages[2]?.content[0]).toMatchObject({
      type: 'tool-result',
      output: expect.stringContaining('refund 0 issued for order 7'),
    });
    const journal = await store.journal.list('th-1');
    expect(journal.map((e) => [e.tool, e.state])).toEqual([
      ['recall', 'done'],
      ['recall', 'done'],
      ['recall', 'done'],
    ]);
    // Stepwise commits, each its own row: the store holds every version up to the head.
    expect((await store.usage('th-1')).checkpoints).toBe(head?.version);
    await store.close();
    await node.stop();
  });

  it('resumes a thread in a new process from the last checkpoint the old one committed', async () => {
    const path = folder.file('agents.db');
    const first = await processOn(path, 'first');
    const one = clerk(first.store, first.clock, 1_000);
    const pid = first.node.spawn(one.agent);
    const killed = outcome(runTask(first.node, pid, { task: 'reconcile', threadId: 'th-2' }));
    await first.clock.advance(2_500); // two steps done, the third in flight
    const saved = await first.store.checkpoints.latest('th-2');
    expect(saved?.step).toBe(2);
    first.node.exit(pid as Pid, 'kill');
    await first.clock.settle();
    expect(isWardenError(killed.error, 'ERR_EXIT')).toBe(true);
    const callsBefore = one.model.calls.length;
    await first.store.close();

    const second = await processOn(path, 'second');
    const two = clerk(second.store, second.clock, 1_000);
    const resumed = outcome(
      runTask(second.node, second.node.spawn(two.agent), { task: 'ignored', threadId: 'th-2' }),
    );
    await second.clock.advance(10_000);
    const result = resumed.value as AgentResult;
    expect(result).toMatchObject({ outcome: 'done', text: 'done after 3 lookups', steps: 4 });
    // Steps 3 and 4 only: the first two were not asked again.
    expect(callsBefore).toBe(3);
    expect(two.model.calls).toHaveLength(2);
    const head = await second.store.checkpoints.latest('th-2');
    expect(head?.task).toBe('reconcile');
    expect(head?.messages.slice(0, saved?.messages.length)).toEqual(saved?.messages);
    expect(head?.version).toBeGreaterThan(saved?.version ?? 0);
    // The old process's head is stale now: a write from it would be refused.
    await expect(
      second.store.checkpoints.commit(
        { ...(saved as NonNullable<typeof saved>), version: (saved?.version ?? 0) + 1 },
        { expectedHead: saved?.version ?? 0 },
      ),
    ).rejects.toSatisfy(isStaleHeadError);
    await second.store.close();
    for (const n of [first.node, second.node] as Node[]) await n.stop();
  });
});
