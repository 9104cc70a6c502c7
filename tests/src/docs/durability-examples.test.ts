/**
 * The code examples of docs/agents/durability.md, each between `// #region name` and
 * `// #endregion`, run as written: the docs check compares them with the doc's code blocks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AgentStore,
  type Checkpoint,
  defineAgent,
  defineTool,
  isStaleHeadError,
  type ModelRequest,
  runTask,
} from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import { createNode, type Node } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { openPostgresStore } from '@warden/store-postgres';
import { openSqliteStore } from '@warden/store-sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

const dir = mkdtempSync(join(tmpdir(), 'warden-durability-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every reply the mail service received, by idempotency key. */
const sent: string[] = [];
const sendReply = defineTool({
  name: 'send_reply',
  description: 'Emails the customer',
  effect: 'write',
  idempotent: true,
  input: z.object({ ticket: z.number().int() }),
  run: (_input, ctx) => {
    sent.push(ctx.idempotencyKey);
    return 'sent';
  },
});

/** Replies, then looks up three more things, one a step, then answers. */
function scripted(clock: TestClock) {
  return createScriptedModel({
    clock,
    latencyMs: 1_000,
    script: (request: ModelRequest) => {
      const results = request.messages.filter((m) => m.role === 'tool').length;
      if (results === 0) return { toolCalls: [{ name: 'send_reply', input: { ticket: 42 } }] };
      return results < 4
        ? { toolCalls: [{ name: 'send_reply', input: { ticket: 42 + results } }] }
        : { text: `answered ${results} tickets` };
    },
  });
}

/** A process of the application: its own clock and node. */
function processOf(name: string): { clock: TestClock; node: Node } {
  const clock = new TestClock();
  return { clock, node: createNode({ name, clock }) };
}

function settleWith<T>(clock: TestClock, promise: Promise<T>): Promise<T> {
  let done = false;
  const watched = promise.finally(() => {
    done = true;
  });
  return (async () => {
    for (let i = 0; i < 200 && !done; i++) {
      await clock.settle();
      if (!done) await clock.advance(500);
    }
    return watched;
  })();
}

describe('docs/agents/durability.md', () => {
  it('resumes a thread in a new process from the SQLite file, without sending a reply twice', async () => {
    const path = join(dir, 'agents.db');
    const first = processOf('app-1');
    const store1 = await openSqliteStore({ path, clock: first.clock });
    const triage1 = defineAgent({
      name: 'triage',
      model: scripted(first.clock),
      system: 'You answer tickets.',
      tools: [sendReply],
      store: store1,
    });
    const running = runTask(first.node, first.node.spawn(triage1), {
      task: 'Answer the queue',
      threadId: 'queue-7',
    });
    running.catch(() => undefined);
    await first.clock.advance(2_500); // two steps committed, the third in flight
    await first.node.stop(); // the process dies
    await first.clock.settle();
    await store1.close();
    const sentBefore = sent.length;

    const { clock, node } = processOf('app-2');
    // #region durability-store
    const store = await openSqliteStore({ path, clock: node.clock }); // or ':memory:'
    const triage = defineAgent({
      name: 'triage',
      model: scripted(clock),
      system: 'You answer tickets.',
      tools: [sendReply],
      store, // checkpoints, effect journal, audit log and memory, in the file
    });
    // The same thread id: the run goes on from its last committed step, and the calls that
    // step had completed answer from the journal instead of running again.
    const result = runTask(node, node.spawn(triage), {
      task: 'Answer the queue',
      threadId: 'queue-7',
    });
    // #endregion
    const answer = await settleWith(clock, result);
    expect(answer).toMatchObject({ outcome: 'done', text: 'answered 4 tickets' });
    expect(sentBefore).toBeGreaterThan(0);
    expect(new Set(sent).size).toBe(sent.length); // no reply sent twice
    expect(sent).toHaveLength(4);

    // #region durability-prune
    const before = await store.usage('queue-7');
    const pruned = await store.prune('queue-7', { keepLast: 2, now: node.clock.now() });
    const after = await store.usage('queue-7');
    // before.checkpoints 11, pruned.checkpoints 9, after.checkpoints 2
    // after.bytesPerStep: what a step costs, as deltas (not a copy of the context per step)
    // #endregion
    expect([before.checkpoints, pruned.checkpoints, after.checkpoints]).toEqual([11, 9, 2]);
    expect(pruned.checkpoints).toBe(before.checkpoints - 2);
    expect(after.checkpoints).toBe(2);
    expect(after.bytes).toBeLessThan(before.bytes);
    expect((await store.checkpoints.latest('queue-7'))?.result?.text).toBe('answered 4 tickets');
    // A writer that still believes in an old head writes nothing.
    const head = (await store.checkpoints.latest('queue-7')) as Checkpoint;
    const stale = await store.checkpoints
      .commit({ ...head, version: 3 }, { expectedHead: 2 })
      .catch((e: unknown) => e);
    expect(isStaleHeadError(stale)).toBe(true);
    expect((await store.checkpoints.latest('queue-7'))?.version).toBe(head.version);
    await node.stop();
    await store.close();
  });

  it('opens the same store on PostgreSQL', async () => {
    const url = process.env.WARDEN_PG_URL;
    if (url === undefined || url === '') {
      throw new Error('WARDEN_PG_URL is not set: run through scripts/with-postgres.sh');
    }
    const { node } = processOf('app-3');
    // #region durability-postgres
    const store: AgentStore = await openPostgresStore({
      connectionString: url, // e.g. postgres://warden@db.internal/agents
      schema: 'warden_docs', // its tables live in this schema, created on first open
    });
    // #endregion
    try {
      expect((await store.checkpoints.latest('nothing-yet')) ?? null).toBe(null);
    } finally {
      await node.stop();
      await store.close();
    }
  });
});
