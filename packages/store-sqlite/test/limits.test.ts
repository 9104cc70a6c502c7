// Options are checked at open, and a record over the size limit is refused by name with nothing
// written.
import { type Checkpoint, isStoreError, type Message, StoreError } from '@warden/agents';
import { describe, expect, it } from 'vitest';
import { openSqliteStore, SQLITE_STORE_DEFAULTS } from '../src/index.js';

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
      steps: 0,
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

async function refusal(attempt: () => unknown): Promise<StoreError> {
  try {
    await attempt();
  } catch (error) {
    if (error instanceof StoreError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('openSqliteStore: options', () => {
  it('refuses a bad option with ERR_INVALID_OPTION naming it', async () => {
    const field = async (options: object) =>
      (await refusal(() => openSqliteStore(options as never))).field;
    expect(await field({ path: '' })).toBe('path');
    expect(await field({ path: 42 })).toBe('path');
    expect(await field({ path: ':memory:', busyTimeoutMs: -1 })).toBe('busyTimeoutMs');
    expect(await field({ path: ':memory:', maxRecordBytes: 0 })).toBe('maxRecordBytes');
    expect(await field({ path: ':memory:', maxRecordBytes: 1.5 })).toBe('maxRecordBytes');
    expect(await field({ path: ':memory:', clock: {} })).toBe('clock');
    expect(await field({ path: ':memory:', sync: 'never' })).toBe('sync');
  });

  it('declares its defaults once', () => {
    expect(SQLITE_STORE_DEFAULTS).toEqual({
      busyTimeoutMs: 5_000,
      maxRecordBytes: 16 * 1024 * 1024,
      sync: 'outputs',
    });
  });

  it('fails to open a file it cannot create with ERR_STORE_UNAVAILABLE', async () => {
    const error = await refusal(() => openSqliteStore({ path: '/nonexistent-dir/x/agents.db' }));
    expect(error.code).toBe('ERR_STORE_UNAVAILABLE');
  });
});

describe('SqliteCheckpointStore: checkpoint fields', () => {
  it('refuses an agent or a task that is not text with ERR_INVALID_OPTION, writing nothing', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    for (const [field, bad] of [
      ['agent', { agent: 42 }],
      ['task', { task: undefined }],
      ['step', { step: 1.5 }],
    ] as const) {
      const error = await refusal(() =>
        store.checkpoints.commit({ ...checkpoint(1, [say('user', 'task')]), ...bad } as never, {
          expectedHead: 0,
        }),
      );
      expect(error.code).toBe('ERR_INVALID_OPTION');
      expect(error.field).toBe(`checkpoint.${field}`);
    }
    expect(await store.checkpoints.latest('t')).toBeUndefined();
    await store.close();
  });
});

describe('SqliteAgentStore: the record size limit', () => {
  it('refuses a message, a result, a dead letter or a memory entry over the limit, writing nothing', async () => {
    const store = await openSqliteStore({ path: ':memory:', maxRecordBytes: 1_000 });
    const head = checkpoint(1, [say('user', 'task')]);
    await store.checkpoints.commit(head, { expectedHead: 0 });
    const big = 'x'.repeat(1_000);
    const tooLarge = await refusal(() =>
      store.checkpoints.commit(checkpoint(2, [say('user', 'task'), say('tool', big)]), {
        expectedHead: 1,
        unchangedBefore: 1,
      }),
    );
    expect(tooLarge.code).toBe('ERR_RECORD_TOO_LARGE');
    expect(tooLarge.detail).toMatchObject({
      table: 'messages',
      key: { thread: 't', idx: 1, version: 2 },
      limit: 1_000,
    });
    expect(await store.checkpoints.latest('t')).toEqual(head);

    await store.journal.begin({
      key: 'k',
      agent: 'a',
      threadId: 't',
      tool: 'f',
      effect: 'read',
      argsHash: 'h',
      scopes: [],
      at: 0,
    });
    await store.journal.advance('k', 1, { state: 'approved', at: 1 });
    const executing = await store.journal.advance('k', 2, { state: 'executing', at: 2 });
    const result = await refusal(() =>
      store.journal.advance('k', 3, { state: 'done', at: 3, result: big }),
    );
    expect(result.code).toBe('ERR_RECORD_TOO_LARGE');
    expect(await store.journal.get('k')).toEqual(executing);

    const letter = await refusal(() =>
      store.deadLetters('d').put({
        id: 'x',
        traceId: 't',
        input: big,
        reason: 'r',
        code: undefined,
        attempts: 1,
        replays: 0,
        recordedAt: 0,
        history: [],
      }),
    );
    expect(isStoreError(letter, 'ERR_RECORD_TOO_LARGE')).toBe(true);
    expect(await store.deadLetters('d').size()).toBe(0);

    const memory = await refusal(() =>
      store.memory.put([
        { threadId: 't', step: 1, text: 'small' },
        { threadId: 't', step: 2, text: big },
      ]),
    );
    expect(memory.code).toBe('ERR_RECORD_TOO_LARGE');
    expect(await store.memory.search('t', 'small', 5)).toEqual([]);
    await store.close();
  });
});
