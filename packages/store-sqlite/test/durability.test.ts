// What a store writes to a file is there after it is closed and opened again, and two
// connections to one file (two processes of a cluster demo) see one state, with compare-and-set
// across them.

import { statSync } from 'node:fs';
import {
  type AgentStore,
  type Checkpoint,
  isStaleHeadError,
  isStoreError,
  type Message,
  verifyAuditChain,
} from '@warden/agents';
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

function checkpoint(version: number, messages: readonly Message[]): Checkpoint {
  return {
    threadId: 't',
    version,
    agent: 'a',
    task: 'go',
    step: version,
    state: 'planning',
    messages,
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
  };
}

const record = (key: string) => ({
  kind: 'allowed' as const,
  agent: 'a',
  threadId: 't',
  tool: 'send',
  key,
  argsHash: 'h',
});

async function everything(store: AgentStore) {
  return {
    head: await store.checkpoints.latest('t'),
    journal: await store.journal.list('t'),
    approval: await store.approvals.get('n1'),
    standing: await store.approvals.standing('b'),
    audit: await store.audit.entries(),
    memory: await store.memory.search('t', 'refund', 5),
    deadLetters: await store.deadLetters('d').list(),
    queue: await store.queue('q').list(),
    lease: await store.leases.current('run:t'),
  };
}

describe('SqliteAgentStore on a file', () => {
  it('gives back everything it held after it is closed and opened again', async () => {
    const path = folder.file('durable.db');
    const store = await openSqliteStore({ path });
    const messages = [say('user', 'task'), say('assistant', 'step 1')];
    await store.checkpoints.commit(checkpoint(1, messages), { expectedHead: 0 });
    await store.checkpoints.commit(checkpoint(2, [...messages, say('tool', 'result')]), {
      expectedHead: 1,
      unchangedBefore: 2,
    });
    await store.journal.begin({
      key: 'k',
      agent: 'a',
      threadId: 't',
      tool: 'send',
      effect: 'irreversible',
      argsHash: 'h',
      scopes: ['mail:ada'],
      at: 5,
    });
    await store.journal.advance('k', 1, { state: 'approved', at: 6, decidedBy: 'person:grace' });
    const approval = {
      requestId: 'r1',
      nonce: 'n1',
      approver: 'person:grace',
      expiresAt: 100,
      agent: 'a',
      tool: 'send',
      argsHash: 'h',
      resource: 'mail:ada',
    };
    await store.approvals.issue(approval);
    expect(await store.approvals.consume('n1')).toBe(true);
    await store.audit.append(record('k'), 7);
    await store.audit.append(record('k2'), 8);
    await store.memory.put([{ threadId: 't', step: 1, text: 'the refund was issued' }]);
    await store.deadLetters('d').put({
      id: 'x',
      traceId: 'tr',
      input: { a: 1 },
      reason: 'r',
      code: undefined,
      attempts: 2,
      replays: 0,
      recordedAt: 3,
      history: [{ time: 3, action: 'recorded', reason: 'r' }],
    });
    await store.queue('q').put({ id: 'r1', request: { prompt: 'p' }, at: 4, replays: 0 });
    await store.leases.acquire('run:t', 'node-a', 1_000, 0, { pid: '<0.1.0>' });
    const before = await everything(store);
    await store.close();

    const reopened = await openSqliteStore({ path });
    expect(await everything(reopened)).toEqual(before);
    expect(before.head?.messages).toHaveLength(3);
    // A used nonce stays used, and the chain goes on from where it was.
    expect(await reopened.approvals.consume('n1')).toBe(false);
    await reopened.audit.append(record('k3'), 9);
    expect(verifyAuditChain(await reopened.audit.entries())).toEqual({ ok: true, entries: 3 });
    await reopened.checkpoints.commit(checkpoint(3, [...(before.head?.messages ?? [])]), {
      expectedHead: 2,
      unchangedBefore: 3,
    });
    expect((await reopened.checkpoints.latest('t'))?.messages).toEqual(before.head?.messages);
    await reopened.close();
  });

  it('keeps compare-and-set, nonces, leases and the audit chain across two connections', async () => {
    const path = folder.file('shared.db');
    const a = await openSqliteStore({ path });
    const b = await openSqliteStore({ path });
    try {
      await a.checkpoints.commit(checkpoint(1, [say('user', 'task')]), { expectedHead: 0 });
      const seen = await b.checkpoints.latest('t');
      expect(seen?.version).toBe(1);
      // Both resume from head 1; the first to commit wins, the other is a stale writer.
      await b.checkpoints.commit(checkpoint(2, [say('user', 'task'), say('assistant', 'b')]), {
        expectedHead: 1,
        unchangedBefore: 1,
      });
      await expect(
        a.checkpoints.commit(checkpoint(2, [say('user', 'task'), say('assistant', 'a')]), {
          expectedHead: 1,
          unchangedBefore: 1,
        }),
      ).rejects.toSatisfy(isStaleHeadError);
      expect((await a.checkpoints.latest('t'))?.messages.at(-1)).toEqual(say('assistant', 'b'));

      const held = await a.leases.acquire('run:t', 'node-a', 1_000, 0);
      expect((await b.leases.acquire('run:t', 'node-b', 1_000, 500)).acquired).toBe(false);
      const taken = await b.leases.acquire('run:t', 'node-b', 1_000, 1_000);
      expect(taken.acquired && taken.lease.token).toBe(2);
      await expect(
        a.checkpoints.commit(checkpoint(3, [say('user', 'x')]), {
          expectedHead: 2,
          fence: { key: 'run:t', token: held.acquired ? held.lease.token : 0 },
        }),
      ).rejects.toSatisfy((e: unknown) => isStoreError(e, 'ERR_FENCED'));
      expect((await b.checkpoints.latest('t'))?.version).toBe(2);

      await a.approvals.issue({
        requestId: 'r',
        nonce: 'n',
        approver: 'person:grace',
        expiresAt: 1,
        agent: 'a',
        tool: 't',
        argsHash: 'h',
        resource: '',
      });
      expect(await b.approvals.consume('n')).toBe(true);
      expect(await a.approvals.consume('n')).toBe(false);

      for (let i = 0; i < 10; i++) await (i % 2 === 0 ? a : b).audit.append(record(`k${i}`), i);
      const entries = await a.audit.entries();
      expect(entries.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(verifyAuditChain(entries)).toEqual({ ok: true, entries: 10 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('fails a write that cannot get the lock within the busy timeout with ERR_STORE_UNAVAILABLE, writing nothing', async () => {
    const path = folder.file('busy.db');
    const store = await openSqliteStore({ path, busyTimeoutMs: 0 });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      await expect(
        store.checkpoints.commit(checkpoint(1, [say('user', 'task')]), { expectedHead: 0 }),
      ).rejects.toSatisfy((e: unknown) => isStoreError(e, 'ERR_STORE_UNAVAILABLE'));
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(await store.checkpoints.latest('t')).toBeUndefined();
    await store.checkpoints.commit(checkpoint(1, [say('user', 'task')]), { expectedHead: 0 });
    expect((await store.checkpoints.latest('t'))?.version).toBe(1);
    await store.close();
  });

  it('syncing every write, writes its log over the same blocks once it holds 128 pages, instead of growing it', async () => {
    const path = folder.file('log.db');
    const store = await openSqliteStore({ path, sync: 'writes' });
    const messages: Message[] = [say('user', 'task')];
    await store.checkpoints.commit(checkpoint(1, messages), { expectedHead: 0 });
    for (let version = 2; version <= 400; version++) {
      messages.push(say('assistant', `step ${version} `.repeat(60)));
      await store.checkpoints.commit(checkpoint(version, messages), {
        expectedHead: version - 1,
        unchangedBefore: version - 1,
      });
    }
    // 400 commits of about 700 bytes wrote some 1,000 pages of log; the log holds 128 and
    // the frames of the commit that reached them (a frame is a page and its 24-byte header).
    const frames = (statSync(`${path}-wal`).size - 32) / (4096 + 24);
    expect(frames).toBeGreaterThanOrEqual(128);
    expect(frames).toBeLessThan(136);
    expect((await store.checkpoints.latest('t'))?.messages).toEqual(messages);
    await store.close();
  });
});
