// Checkpoints are stored as deltas: a step writes the rows it added, any kept checkpoint reads
// back as it was committed, and pruning removes exactly the rows no kept checkpoint reads.
import { type Checkpoint, type Message, StoreError } from '@warden/agents';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/index.js';
import { tempFolder } from './temp-db.js';

let folder: ReturnType<typeof tempFolder>;
beforeEach(() => {
  folder = tempFolder();
});
afterEach(() => folder.remove());

function say(role: Message['role'], text: string): Message {
  return { role, content: [{ type: 'text', text }] };
}

function checkpoint(version: number, messages: readonly Message[], step = version): Checkpoint {
  return {
    threadId: 't',
    version,
    agent: 'a',
    task: 'go',
    step,
    state: 'planning',
    messages,
    spent: {
      steps: step,
      inputTokens: 1_000 * step,
      outputTokens: 100 * step,
      costUsd: 0,
      wallMs: 0,
      toolCalls: step,
      subagents: 0,
      unpriced: [],
    },
  };
}

/** One step of an agent run: a tool call and its result, about 1.3 KB of JSON. */
function stepMessages(step: number): Message[] {
  return [
    {
      role: 'assistant',
      content: [
        { type: 'text', text: `Step ${step}: looking up the next order.` },
        { type: 'tool-call', callId: `c${step}`, name: 'lookup', input: { order: step } },
      ],
    },
    {
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          callId: `c${step}`,
          name: 'lookup',
          output: {
            order: step,
            lines: Array.from({ length: 8 }, (_, i) => ({ sku: `SKU-${step}-${i}`, qty: i + 1 })),
            note: 'delivered to the front desk, signed by the customer'.repeat(3),
          },
        },
      ],
    },
  ];
}

async function failure(attempt: () => unknown): Promise<StoreError> {
  try {
    await attempt();
  } catch (error) {
    if (error instanceof StoreError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

const COUNT = {
  /** Every copy of a message the file holds: in the checkpoint rows, and in `messages`. */
  messages: `SELECT (SELECT coalesce(sum(length - first), 0) FROM checkpoints)
    + (SELECT count(*) FROM messages) AS n`,
  checkpoints: 'SELECT count(*) AS n FROM checkpoints',
} as const;

function rowCount(path: string, table: keyof typeof COUNT): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(COUNT[table]).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('SqliteCheckpointStore: deltas', () => {
  it('stores a 100-step run in bytes that grow with each step, not with the history', async () => {
    const path = folder.file('run.db');
    const store = await openSqliteStore({ path });
    const context: Message[] = [say('user', 'Reconcile the orders of last week.')];
    let fullCopy = 0;
    const bytesAt = new Map<number, number>();
    for (let step = 1; step <= 100; step++) {
      const unchanged = context.length;
      context.push(...stepMessages(step));
      await store.checkpoints.commit(checkpoint(step, [...context]), {
        expectedHead: step - 1,
        unchangedBefore: unchanged,
      });
      for (const m of context) fullCopy += Buffer.byteLength(JSON.stringify(m));
      if (step === 33 || step === 100) bytesAt.set(step, (await store.usage('t')).bytes);
    }
    const at33 = bytesAt.get(33) as number;
    const at100 = bytesAt.get(100) as number;
    // Linear growth with a fixed start gives at most 100/33 of the 33-step figure; a store that
    // copied the history each step would give about nine times it.
    expect(at100).toBeLessThan((100 / 33) * at33 * 1.02);
    // A copy of the context per step (what a full-state checkpointer stores) is over 30 times more.
    expect(at100 * 30).toBeLessThan(fullCopy);
    // Under 1 KB a step, for about 650 bytes of new messages a step (docs/agents/durability.md).
    expect(at100 / 100).toBeLessThan(1_024);
    expect((await store.usage('t')).bytesPerStep).toBeCloseTo(at100 / 100, 6);
    await store.close();
    // Each message was written once, each step wrote one checkpoint row, which carries them.
    expect(rowCount(path, 'messages')).toBe(201);
    expect(rowCount(path, 'checkpoints')).toBe(100);
  });

  it('keeps the agent and the task once per thread, in a checkpoint row only where they change', async () => {
    const path = folder.file('task.db');
    const store = await openSqliteStore({ path });
    const task = 'Reconcile the orders of last week, line by line. '.repeat(20);
    const context: Message[] = [say('user', task)];
    const at = (version: number, extra: Partial<Checkpoint> = {}): Checkpoint => ({
      ...checkpoint(version, [...context]),
      task,
      ...extra,
    });
    const committed: Checkpoint[] = [];
    for (let version = 1; version <= 10; version++) {
      const unchanged = context.length;
      if (version > 1) context.push(...stepMessages(version));
      const cp = version === 6 ? at(version, { agent: 'b', task: 'another task' }) : at(version);
      await store.checkpoints.commit(cp, { expectedHead: version - 1, unchangedBefore: unchanged });
      committed.push(cp);
    }
    for (const cp of committed) expect(await store.checkpoints.at('t', cp.version)).toEqual(cp);
    const usage = await store.usage('t');
    await store.close();
    const db = new Database(path, { readonly: true });
    const bodies = db.prepare('SELECT version, body FROM checkpoints ORDER BY version').all() as {
      version: number;
      body: string;
    }[];
    const threads = db.prepare('SELECT thread, agent, task, bytes FROM threads').all();
    db.close();
    expect(threads).toEqual([{ thread: 't', agent: 'a', task, bytes: expect.any(Number) }]);
    for (const { version, body } of bodies) {
      expect(body.includes(task), `version ${version}`).toBe(false);
      expect(body.includes('"agent"'), `version ${version}`).toBe(version === 6);
    }
    // The task is counted once in the thread's bytes, not once per checkpoint.
    expect(usage.bytes).toBeLessThan(Buffer.byteLength(task) * 2 + 10 * 2_000);
  });

  it('removes the thread row with a finished thread past its age, and nothing else', async () => {
    const path = folder.file('expired.db');
    const store = await openSqliteStore({ path, clock: { now: () => 1_000 } });
    const finished = {
      ...checkpoint(1, [say('user', 'task')]),
      state: 'done' as const,
      result: {
        threadId: 't',
        outcome: 'done' as const,
        text: 'ok',
        steps: 1,
        spent: checkpoint(1, []).spent,
      },
    };
    await store.checkpoints.commit(finished, { expectedHead: 0 });
    await store.checkpoints.commit(
      { ...checkpoint(1, [say('user', 'other')]), threadId: 'o' },
      {
        expectedHead: 0,
      },
    );
    const report = await store.prune('t', { keepLast: 1, now: 10_000, finishedOlderThanMs: 5_000 });
    expect(report).toEqual({ checkpoints: 1, messages: 1, journalEntries: 0, threads: 1 });
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT thread FROM threads').all()).toEqual([{ thread: 'o' }]);
    db.close();
  });

  it('reads a compacted head through the rows that hold its messages, not every row back to its oldest', async () => {
    const path = folder.file('compacted.db');
    const store = await openSqliteStore({ path });
    const anchor = say('user', 'the task');
    let context: Message[] = [anchor];
    let committed: Checkpoint | undefined;
    for (let version = 1; version <= 60; version++) {
      const unchanged = version === 1 ? 0 : context.length;
      // Compaction every tenth step: the anchor stays, a summary replaces the rest.
      if (version % 10 === 0) context = [anchor, say('user', `summary at ${version}`)];
      else if (version > 1) context = [...context, say('assistant', `step ${version}`)];
      committed = checkpoint(version, context);
      await store.checkpoints.commit(committed, {
        expectedHead: version - 1,
        unchangedBefore: version % 10 === 0 ? 1 : unchanged,
      });
    }
    const db = new Database(path);
    // Each row names the row holding the message before its first: the one before it when its
    // commit appended, the anchor's when it compacted.
    const named = db.prepare('SELECT version, first, kept_from AS keptFrom FROM checkpoints');
    const rows = named.all() as { version: number; first: number; keptFrom: number }[];
    expect(rows.find((r) => r.version === 1)).toEqual({ version: 1, first: 0, keptFrom: 0 });
    expect(rows.find((r) => r.version === 35)).toEqual({ version: 35, first: 6, keptFrom: 34 });
    expect(rows.find((r) => r.version === 60)).toEqual({ version: 60, first: 1, keptFrom: 1 });
    // Rows 2 to 59 hold nothing the head reads: damaged, they do not stop it.
    db.prepare("UPDATE checkpoints SET messages = 'x' WHERE version BETWEEN 2 AND 59").run();
    db.close();
    expect(await store.checkpoints.latest('t')).toEqual(committed);
    const error = await failure(() => store.checkpoints.at('t', 55));
    expect(error.code).toBe('ERR_STORE_CORRUPT');
    await store.close();
  });

  it('reads neither the messages its writer says are unchanged nor their rows, but the last of them', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    const messages = Array.from({ length: 500 }, (_, i) => say('user', `m${i}`));
    await store.checkpoints.commit(checkpoint(1, messages), { expectedHead: 0 });
    const grown = [...messages, say('assistant', 'next')];
    for (let i = 0; i < messages.length - 1; i++) {
      Object.defineProperty(grown, i, {
        get: () => {
          throw new Error(`message ${i} was read`);
        },
      });
    }
    await store.checkpoints.commit(checkpoint(2, grown), { expectedHead: 1, unchangedBefore: 500 });
    const head = await store.checkpoints.latest('t');
    expect(head?.messages).toHaveLength(501);
    expect(head?.messages[0]).toEqual(say('user', 'm0'));
    expect(head?.messages[500]).toEqual(say('assistant', 'next'));
    await store.close();
  });

  it('reads back every kept checkpoint as it was committed, through compactions, and after pruning', async () => {
    const path = folder.file('history.db');
    const store = await openSqliteStore({ path });
    const committed: Checkpoint[] = [];
    let context: Message[] = [say('user', 'the task')];
    let unchanged = 0;
    for (let version = 1; version <= 30; version++) {
      if (version % 7 === 0) {
        // Compaction: the anchor stays, everything else becomes one summary.
        context = [context[0] as Message, say('user', `summary at ${version}`)];
        unchanged = 1;
      } else if (version > 1) {
        context.push(...stepMessages(version));
      }
      const cp = checkpoint(version, structuredClone(context));
      await store.checkpoints.commit(cp, { expectedHead: version - 1, unchangedBefore: unchanged });
      committed.push(cp);
      unchanged = context.length;
    }
    for (const cp of committed) expect(await store.checkpoints.at('t', cp.version)).toEqual(cp);
    // Rows: 1 anchor, 4 summaries, 2 per other step from 2 to 30 (25 of them).
    expect(rowCount(path, 'messages')).toBe(55);
    const report = await store.prune('t', { keepLast: 10, now: 0 });
    expect(report).toEqual({ checkpoints: 20, messages: 36, journalEntries: 0, threads: 0 });
    for (const cp of committed) {
      expect(await store.checkpoints.at('t', cp.version)).toEqual(cp.version > 20 ? cp : undefined);
    }
    // Of the messages written before version 21 only the anchor is still read (version 21's
    // summary replaced every earlier message after it): pruning moved it out of the row of
    // version 1 into a row of its own.
    const db = new Database(path, { readonly: true });
    const old = db.prepare('SELECT idx, version FROM messages WHERE version < 21').all();
    db.close();
    expect(old).toEqual([{ idx: 0, version: 1 }]);
    expect(rowCount(path, 'messages')).toBe(19);
    const next = checkpoint(31, [...context, say('user', 'after pruning')]);
    await store.checkpoints.commit(next, { expectedHead: 30, unchangedBefore: context.length });
    expect(await store.checkpoints.latest('t')).toEqual(next);
    await store.close();
  });
});
