import { isStoreError, verifyAuditChain } from '@warden/agents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresAgentStore } from '../src/index.js';
import { checkpointOf, userMessage } from './checkpoint-fixtures.js';
import { type TestSchema, testSchema } from './test-database.js';

let db: TestSchema;
let store: PostgresAgentStore;

beforeAll(async () => {
  db = testSchema('corrupt');
  store = await db.open();
});
afterAll(() => db?.drop());

const corrupt = (e: unknown) => isStoreError(e, 'ERR_STORE_CORRUPT');

async function commitTwo(threadId: string): Promise<void> {
  await store.checkpoints.commit(checkpointOf(threadId, 1, [userMessage('one')]), {
    expectedHead: 0,
  });
  await store.checkpoints.commit(
    checkpointOf(threadId, 2, [userMessage('one'), userMessage('two')]),
    { expectedHead: 1, unchangedBefore: 1 },
  );
}

describe('a row changed behind the store’s back', () => {
  it('fails a read of an edited message with ERR_STORE_CORRUPT and leaves the row as it is', async () => {
    await commitTwo('t-edited');
    await db.sql(
      `UPDATE messages SET body = replace(body, 'one', 'uno') WHERE thread_id = 't-edited'`,
    );
    const read = store.checkpoints.latest('t-edited');
    await expect(read).rejects.toSatisfy(corrupt);
    await expect(read).rejects.toMatchObject({ detail: { row: '["messages","t-edited",0,1]' } });
    // Nothing was repaired or overwritten: a person can look at it as it was found.
    expect(
      await db.sql(`SELECT body FROM messages WHERE thread_id = 't-edited' AND idx = 0`),
    ).toEqual([{ body: JSON.stringify(userMessage('uno')) }]);
    await expect(store.checkpoints.latest('t-edited')).rejects.toSatisfy(corrupt);
  });

  it('fails a read of an edited checkpoint row', async () => {
    await commitTwo('t-head');
    await db.sql(
      `UPDATE checkpoints SET body = replace(body, '"step":2', '"step":7') WHERE thread_id = 't-head'`,
    );
    await expect(store.checkpoints.latest('t-head')).rejects.toSatisfy(corrupt);
  });

  it('fails a read of a message row moved to another place, or removed', async () => {
    await commitTwo('t-moved');
    await db.sql(`UPDATE messages SET version = 2 WHERE thread_id = 't-moved' AND idx = 0`);
    await expect(store.checkpoints.latest('t-moved')).rejects.toSatisfy(corrupt);
    await commitTwo('t-removed');
    await db.sql(`DELETE FROM messages WHERE thread_id = 't-removed' AND idx = 1`);
    await expect(store.checkpoints.latest('t-removed')).rejects.toSatisfy(corrupt);
    await db.sql(`DELETE FROM checkpoints WHERE thread_id = 't-removed'`);
    await expect(store.checkpoints.latest('t-removed')).rejects.toSatisfy(corrupt);
  });

  it('fails reads of edited journal, approval, memory, dead-letter and queue rows', async () => {
    await store.journal.begin({
      key: 'call-1',
      agent: 'planner',
      threadId: 't-gov',
      tool: 'send_email',
      effect: 'irreversible',
      argsHash: 'h',
      scopes: [],
      at: 0,
    });
    await store.approvals.issue({
      requestId: 'standing',
      nonce: 'n-1',
      approver: 'person:ana',
      expiresAt: 10,
      agent: 'planner',
      tool: 'send_email',
      argsHash: 'h',
      resource: '',
    });
    await store.memory.put([{ threadId: 't-gov', step: 1, text: 'the launch moved to May' }]);
    await store.deadLetters('dlq').put({
      id: 'd-1',
      traceId: 'tr',
      input: { n: 1 },
      reason: 'boom',
      code: undefined,
      attempts: 3,
      replays: 0,
      recordedAt: 0,
      history: [],
    });
    await store.queue('level-2').put({ id: 'q-1', request: { n: 1 }, at: 0, replays: 0 });
    for (const table of ['journal', 'approvals', 'memory', 'dead_letters', 'queued']) {
      await db.sql(`UPDATE ${table} SET body = replace(body, '1', '2')`);
      await db.sql(`UPDATE ${table} SET body = replace(body, 'May', 'June')`);
    }
    await expect(store.journal.get('call-1')).rejects.toSatisfy(corrupt);
    await expect(store.journal.list('t-gov')).rejects.toSatisfy(corrupt);
    await expect(store.approvals.get('n-1')).rejects.toSatisfy(corrupt);
    await expect(store.memory.search('t-gov', 'launch', 5)).rejects.toSatisfy(corrupt);
    await expect(store.deadLetters('dlq').list()).rejects.toSatisfy(corrupt);
    await expect(store.queue('level-2').list()).rejects.toSatisfy(corrupt);
  });

  it('leaves an edited audit entry for the chain to name', async () => {
    for (let i = 0; i < 3; i++) {
      await store.audit.append(
        {
          kind: 'allowed',
          agent: 'planner',
          threadId: 't',
          tool: 'x',
          key: `k${i}`,
          argsHash: 'h',
          by: 'capability',
        },
        i,
      );
    }
    expect(verifyAuditChain(await store.audit.entries())).toEqual({ ok: true, entries: 3 });
    await db.sql(`UPDATE audit SET body = replace(body, 'allowed', 'denied') WHERE seq = 1`);
    expect(verifyAuditChain(await store.audit.entries())).toMatchObject({ ok: false, index: 1 });
  });
});
