// When a write waits for the disk: before anything outside the process can act on it. SQLite's
// own `synchronous` level is read back after each write (2 is FULL, the commit synced; 1 is
// NORMAL, synced by the next synced write), and from inside a tool's `run`, the moment an
// effect happens.
import {
  type AgentResult,
  type Checkpoint,
  defineAgent,
  defineTool,
  type Message,
  type ModelRequest,
  runTask,
} from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import { createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SqliteAgentStore, type SyncMode } from '../src/index.js';
import type { Connection } from '../src/internal/connection.js';
import { openConnection } from '../src/internal/open-connection.js';
import { resolveSqliteStoreOptions } from '../src/sqlite-store-options.js';
import { tempFolder } from './temp-db.js';

const FULL = 2;
const NORMAL = 1;

let folder: ReturnType<typeof tempFolder>;
beforeEach(() => {
  folder = tempFolder();
});
afterEach(() => folder.remove());

function open(sync?: SyncMode): { conn: Connection; store: SqliteAgentStore } {
  const path = folder.file('sync.db');
  const conn = openConnection(resolveSqliteStoreOptions({ path, ...(sync ? { sync } : {}) }));
  return { conn, store: new SqliteAgentStore(conn, path) };
}

const say = (role: Message['role'], text: string): Message => ({
  role,
  content: [{ type: 'text', text }],
});

function checkpoint(version: number, result?: AgentResult): Checkpoint {
  return {
    threadId: 't',
    version,
    agent: 'a',
    task: 'go',
    step: version,
    state: result === undefined ? 'planning' : 'done',
    messages: [say('user', 'go'), say('assistant', `step ${version}`)],
    spent: {
      steps: version,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      wallMs: 0,
      toolCalls: 0,
      subagents: 0,
      unpriced: [],
    },
    ...(result === undefined ? {} : { result }),
  };
}

const call = (key: string, effect: 'read' | 'write' | 'irreversible') => ({
  key,
  agent: 'a',
  threadId: 't',
  tool: effect === 'read' ? 'look' : 'send',
  effect,
  argsHash: 'h',
  scopes: [],
  at: 1,
});

const audit = (key: string, kind: 'requested' | 'allowed' | 'executed' | 'result') => ({
  kind,
  agent: 'a',
  threadId: 't',
  tool: 'send',
  key,
  argsHash: 'h',
});

/** Each write an agent system makes, and the level SQLite ran it at, in order. */
async function writeEverything(store: SqliteAgentStore, conn: Connection) {
  const levels: Record<string, number> = {};
  const at = async (name: string, write: () => Promise<unknown>) => {
    await write();
    levels[name] = conn.setting('synchronous');
  };
  await at('step commit', () => store.checkpoints.commit(checkpoint(1), { expectedHead: 0 }));
  await at('read: journal begin', () => store.journal.begin(call('r', 'read')));
  await at('read: audit requested', () => store.audit.append(audit('r', 'requested'), 1));
  await at('read: journal approved', () =>
    store.journal.advance('r', 1, { state: 'approved', at: 2 }),
  );
  await at('read: audit allowed', () => store.audit.append(audit('r', 'allowed'), 2));
  await at('read: journal executing', () =>
    store.journal.advance('r', 2, { state: 'executing', at: 3 }),
  );
  await at('read: journal done', () =>
    store.journal.advance('r', 3, { state: 'done', at: 4, result: 'ticket' }),
  );
  await at('read: audit result', () => store.audit.append(audit('r', 'result'), 4));
  await at('second step commit', () =>
    store.checkpoints.commit(checkpoint(2), { expectedHead: 1, unchangedBefore: 1 }),
  );
  await at('effect: audit requested', () => store.audit.append(audit('w', 'requested'), 5));
  await at('effect: journal begin', () => store.journal.begin(call('w', 'irreversible')));
  await at('effect: journal approved', () =>
    store.journal.advance('w', 1, { state: 'approved', at: 6, decidedBy: 'person:ann' }),
  );
  await at('effect: audit allowed', () => store.audit.append(audit('w', 'allowed'), 6));
  await at('effect: journal executing', () =>
    store.journal.advance('w', 2, { state: 'executing', at: 7 }),
  );
  await at('effect: audit executed', () => store.audit.append(audit('w', 'executed'), 7));
  await at('effect: journal done', () =>
    store.journal.advance('w', 3, { state: 'done', at: 8, result: 'sent' }),
  );
  await at('effect: audit result', () => store.audit.append(audit('w', 'result'), 8));
  await at('approval issued', () =>
    store.approvals.issue({
      requestId: 'q',
      nonce: 'n',
      approver: 'person:ann',
      expiresAt: 100,
      agent: 'a',
      tool: 'send',
      argsHash: 'h',
      resource: 'mail:ada',
    }),
  );
  await at('third step commit', () =>
    store.checkpoints.commit(checkpoint(3), { expectedHead: 2, unchangedBefore: 1 }),
  );
  await at('approval consumed', () => store.approvals.consume('n'));
  await at('lease', () => store.leases.acquire('run:t', 'node-a', 1_000, 0, { pid: '<0.1.0>' }));
  await at('memory', () => store.memory.put([{ threadId: 't', step: 3, text: 'noted' }]));
  await at('fourth step commit', () =>
    store.checkpoints.commit(checkpoint(4), { expectedHead: 3, unchangedBefore: 1 }),
  );
  await at('queue', async () => store.queue('q').put({ id: 'x', request: {}, at: 9, replays: 0 }));
  await at('finished run', () =>
    store.checkpoints.commit(
      checkpoint(5, {
        threadId: 't',
        outcome: 'done',
        text: 'ok',
        steps: 5,
        spent: checkpoint(5).spent,
      }),
      { expectedHead: 4, unchangedBefore: 1 },
    ),
  );
  return levels;
}

describe('SqliteAgentStore: when a write waits for the disk', () => {
  it('syncs what something outside may act on, and lets the rest wait for the next sync', async () => {
    const { conn, store } = open();
    expect(await writeEverything(store, conn)).toEqual({
      'step commit': NORMAL,
      'read: journal begin': NORMAL,
      'read: audit requested': NORMAL,
      'read: journal approved': NORMAL,
      'read: audit allowed': NORMAL,
      'read: journal executing': NORMAL,
      'read: journal done': NORMAL,
      'read: audit result': NORMAL,
      'second step commit': NORMAL,
      // Asked and allowed come before the journal's synced writes of the call, which take them.
      'effect: audit requested': NORMAL,
      'effect: journal begin': FULL,
      'effect: journal approved': FULL,
      'effect: audit allowed': NORMAL,
      'effect: journal executing': FULL,
      'effect: audit executed': FULL,
      'effect: journal done': FULL,
      'effect: audit result': FULL,
      'approval issued': FULL,
      'third step commit': NORMAL,
      'approval consumed': FULL,
      lease: FULL,
      memory: FULL,
      'fourth step commit': NORMAL,
      queue: FULL,
      'finished run': FULL,
    });
    await store.close();
  });

  it("syncs every write with sync: 'writes'", async () => {
    const { conn, store } = open('writes');
    const levels = await writeEverything(store, conn);
    expect(new Set(Object.values(levels))).toEqual(new Set([FULL]));
    await store.close();
  });

  it('copies its log into the file at 1,000 pages, or 128 when every write is synced', async () => {
    for (const [sync, pages] of [
      ['outputs', 1_000],
      ['writes', 128],
    ] as const) {
      const { conn, store } = open(sync);
      expect(conn.setting('wal_autocheckpoint')).toBe(pages);
      await store.close();
    }
  });

  it('keeps what it wrote lazily across a close and an opening', async () => {
    const { conn, store } = open();
    await writeEverything(store, conn);
    const before = await store.journal.list('t');
    await store.close();
    const again = open();
    expect(await again.store.journal.list('t')).toEqual(before);
    expect((await again.store.checkpoints.latest('t'))?.version).toBe(5);
    await again.store.close();
  });

  it('syncs a call it no longer remembers as a read, the safe side', () => {
    const { conn, store } = open();
    conn.noteRead('first');
    for (let i = 0; i < 4_096; i++) conn.noteRead(`read ${i}`);
    expect(conn.isKnownRead('first')).toBe(false);
    expect(conn.isKnownRead('read 4095')).toBe(true);
    return store.close();
  });

  it('has an effect on the disk before it runs, and a finished run before its answer', async () => {
    const { conn, store } = open();
    const clock = new TestClock();
    const node = createNode({ name: 'app', clock });
    const seen: Record<string, number> = {};
    const tools = [
      defineTool({
        name: 'look',
        description: 'reads a ticket',
        effect: 'read',
        input: z.object({ id: z.number().int() }),
        run: ({ id }) => {
          seen.read = conn.setting('synchronous');
          return `ticket ${id}`;
        },
      }),
      defineTool({
        name: 'send',
        description: 'sends a reply',
        effect: 'write',
        input: z.object({ id: z.number().int() }),
        run: () => {
          seen.effect = conn.setting('synchronous');
          return 'sent';
        },
      }),
    ];
    const script = (request: ModelRequest) => {
      const turns = request.messages.filter((m) => m.role === 'assistant').length;
      if (turns === 0) return { toolCalls: [{ name: 'look', input: { id: 1 } }] };
      if (turns === 1) return { toolCalls: [{ name: 'send', input: { id: 1 } }] };
      return { text: 'replied' };
    };
    const agent = defineAgent({
      name: 'clerk',
      model: createScriptedModel({ clock, script }),
      system: 'You answer tickets.',
      tools,
      store,
    });
    const done = runTask(node, node.spawn(agent), { task: 'answer ticket 1', threadId: 'th' });
    await clock.settle();
    const result = await done;
    expect(result.outcome).toBe('done');
    expect(seen).toEqual({ read: NORMAL, effect: FULL });
    expect(conn.setting('synchronous')).toBe(FULL);
    expect((await store.checkpoints.latest('th'))?.result).toEqual(result);
    await node.stop();
    await store.close();
  });
});
