import { isStaleHeadError, isStoreError, type Message } from '@warden/agents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresAgentStore } from '../src/index.js';
import { checkpointOf, userMessage } from './checkpoint-fixtures.js';
import { type TestSchema, testSchema } from './test-database.js';

let db: TestSchema;
let store: PostgresAgentStore;

beforeAll(async () => {
  db = testSchema('checkpoints');
  store = await db.open({ maxRecordBytes: 64 * 1024 });
});
afterAll(() => db?.drop());

describe('PostgresCheckpointStore', () => {
  it('answers the head as it was committed, messages and all', async () => {
    const messages = [userMessage('one'), userMessage('two')];
    await store.checkpoints.commit(checkpointOf('t-1', 1, messages), { expectedHead: 0 });
    const result = {
      threadId: 't-1',
      outcome: 'done' as const,
      text: 'ok',
      steps: 2,
      spent: checkpointOf('t-1', 2, []).spent,
    };
    await store.checkpoints.commit(
      checkpointOf('t-1', 2, [...messages, userMessage('three')], { result }),
      {
        expectedHead: 1,
        unchangedBefore: 2,
      },
    );
    expect(await store.checkpoints.latest('t-1')).toEqual(
      checkpointOf('t-1', 2, [...messages, userMessage('three')], { result }),
    );
    expect(await store.checkpoints.latest('nobody')).toBeUndefined();
  });

  it('writes only the messages a step added when its writer says the rest are unchanged', async () => {
    const log: Message[] = [];
    for (let v = 1; v <= 5; v++) {
      log.push(userMessage(`m${v}`));
      await store.checkpoints.commit(checkpointOf('t-delta', v, [...log]), {
        expectedHead: v - 1,
        unchangedBefore: v - 1,
      });
    }
    const [row] = await db.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages WHERE thread_id = 't-delta'`,
    );
    expect(row?.n).toBe(5);
    expect((await store.checkpoints.latest('t-delta'))?.messages).toEqual(log);
  });

  it('writes every message again when the claim of unchanged messages is wrong', async () => {
    await store.checkpoints.commit(
      checkpointOf('t-claim', 1, [userMessage('a'), userMessage('b')]),
      {
        expectedHead: 0,
      },
    );
    // The writer says two are unchanged, but it rewrote the second one.
    const rewritten = [userMessage('a'), userMessage('B'), userMessage('c')];
    await store.checkpoints.commit(checkpointOf('t-claim', 2, rewritten), {
      expectedHead: 1,
      unchangedBefore: 2,
    });
    expect((await store.checkpoints.latest('t-claim'))?.messages).toEqual(rewritten);
    // Shrinking history (compaction) is read back as it was written.
    const compacted = [userMessage('summary')];
    await store.checkpoints.commit(checkpointOf('t-claim', 3, compacted), { expectedHead: 2 });
    expect((await store.checkpoints.latest('t-claim'))?.messages).toEqual(compacted);
  });

  it('refuses a stale writer with ERR_STALE_HEAD and writes nothing', async () => {
    await store.checkpoints.commit(checkpointOf('t-stale', 1, [userMessage('a')]), {
      expectedHead: 0,
    });
    await store.checkpoints.commit(
      checkpointOf('t-stale', 2, [userMessage('a'), userMessage('b')]),
      {
        expectedHead: 1,
      },
    );
    const stale = store.checkpoints.commit(checkpointOf('t-stale', 2, [userMessage('x')]), {
      expectedHead: 1,
    });
    await expect(stale).rejects.toSatisfy(isStaleHeadError);
    await expect(stale).rejects.toMatchObject({ expected: 1, actual: 2 });
    const first = store.checkpoints.commit(checkpointOf('t-stale', 1, [userMessage('y')]), {
      expectedHead: 0,
    });
    await expect(first).rejects.toSatisfy(isStaleHeadError);
    expect((await store.checkpoints.latest('t-stale'))?.messages).toEqual([
      userMessage('a'),
      userMessage('b'),
    ]);
  });

  it('refuses a version that does not follow the expected head', async () => {
    await expect(
      store.checkpoints.commit(checkpointOf('t-gap', 3, []), { expectedHead: 0 }),
    ).rejects.toThrow(RangeError);
  });

  it('refuses a record over the size limit with ERR_RECORD_TOO_LARGE and writes nothing', async () => {
    const big = userMessage('x'.repeat(70 * 1024));
    const commit = store.checkpoints.commit(checkpointOf('t-big', 1, [big]), { expectedHead: 0 });
    await expect(commit).rejects.toSatisfy((e) => isStoreError(e, 'ERR_RECORD_TOO_LARGE'));
    expect(await store.checkpoints.latest('t-big')).toBeUndefined();
  });

  it('takes thread ids and messages from a model as data, never as SQL', async () => {
    const threadId = `'); DROP TABLE threads; --`;
    const messages = [
      userMessage(`"; DELETE FROM messages; -- $1 \\ \u0000`.replace('\u0000', '')),
    ];
    await store.checkpoints.commit(checkpointOf(threadId, 1, messages), { expectedHead: 0 });
    expect((await store.checkpoints.latest(threadId))?.messages).toEqual(messages);
    expect(await store.checkpoints.latest('t-1')).toBeDefined();
  });
});
