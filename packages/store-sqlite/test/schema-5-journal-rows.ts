// Journal rows as the store wrote them at schema version 5 (no columns for the call: its tool
// and arguments' hash only in the body), for the upgrade test. Written by the schema-5 store
// (revision fe75f2b) from the calls `journalCalls` makes again, then read out of the file.
import type { AgentStore } from '@warden/agents';

export interface Schema5JournalRow {
  seq: number;
  key: string;
  thread: string;
  version: number;
  state: string;
  begun_step: number;
  body: string;
  sum: string;
}

const A = 'a1'.repeat(32);
const B = 'b2'.repeat(32);
const C = 'c3'.repeat(32);

/** The calls the rows were written from: three runs of one refund, another refund, a lookup. */
export async function journalCalls(store: AgentStore): Promise<void> {
  const j = store.journal;
  const call = (key: string, threadId: string, tool: string, argsHash: string, at: number) => ({
    key,
    agent: 'clerk',
    threadId,
    tool,
    effect: tool === 'lookup' ? ('read' as const) : ('irreversible' as const),
    argsHash,
    scopes: tool === 'lookup' ? [] : ['payments'],
    at,
  });
  await j.begin(call('t:1:0', 't', 'refund', A, 1000));
  await j.advance('t:1:0', 1, { state: 'approved', at: 1001, decidedBy: 'rule:refunds' });
  await j.advance('t:1:0', 2, { state: 'executing', at: 1002 });
  await j.advance('t:1:0', 3, { state: 'done', at: 1003, result: { refunded: true, order: 1 } });
  await j.begin(call('t:2:0', 't', 'lookup', B, 2000));
  await j.begin(call('u:1:0', 'u', 'refund', A, 2500));
  await j.advance('u:1:0', 1, {
    state: 'denied',
    at: 2501,
    decidedBy: 'person:grace',
    reason: 'not this one',
  });
  await j.begin(call('t:3:0', 't', 'refund', C, 3000));
  await j.advance('t:3:0', 1, {
    state: 'approved',
    at: 3001,
    decidedBy: 'person:grace',
    approval: 'nonce-1',
  });
  await j.advance('t:3:0', 2, { state: 'executing', at: 3002 });
  await j.advance('t:3:0', 3, { state: 'unknown', at: 3003 });
  await j.begin(call('t:4:0', 't', 'refund', A, 4000));
  await j.advance('t:4:0', 1, { state: 'approved', at: 4001, decidedBy: 'rule:refunds' });
  await j.advance('t:4:0', 2, { state: 'executing', at: 4002 });
}

export const SCHEMA_5_JOURNAL_ROWS: readonly Schema5JournalRow[] = [
  {
    seq: 1,
    key: 't:1:0',
    thread: 't',
    version: 4,
    state: 'done',
    begun_step: 0,
    body: '{"key":"t:1:0","version":4,"state":"done","agent":"clerk","threadId":"t","tool":"refund","effect":"irreversible","argsHash":"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1","scopes":["payments"],"at":1003,"decidedBy":"rule:refunds","result":{"refunded":true,"order":1}}',
    sum: '0c954f1c70f800b2',
  },
  {
    seq: 2,
    key: 't:2:0',
    thread: 't',
    version: 1,
    state: 'intent',
    begun_step: 0,
    body: '{"key":"t:2:0","version":1,"state":"intent","agent":"clerk","threadId":"t","tool":"lookup","effect":"read","argsHash":"b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2","scopes":[],"at":2000}',
    sum: 'f507ac967dd432e1',
  },
  {
    seq: 3,
    key: 'u:1:0',
    thread: 'u',
    version: 2,
    state: 'denied',
    begun_step: 0,
    body: '{"key":"u:1:0","version":2,"state":"denied","agent":"clerk","threadId":"u","tool":"refund","effect":"irreversible","argsHash":"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1","scopes":["payments"],"at":2501,"decidedBy":"person:grace","reason":"not this one"}',
    sum: '485ae5f9682df81c',
  },
  {
    seq: 4,
    key: 't:3:0',
    thread: 't',
    version: 4,
    state: 'unknown',
    begun_step: 0,
    body: '{"key":"t:3:0","version":4,"state":"unknown","agent":"clerk","threadId":"t","tool":"refund","effect":"irreversible","argsHash":"c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3","scopes":["payments"],"at":3003,"decidedBy":"person:grace","approval":"nonce-1"}',
    sum: 'b15f7e58fecea41e',
  },
  {
    seq: 5,
    key: 't:4:0',
    thread: 't',
    version: 3,
    state: 'executing',
    begun_step: 0,
    body: '{"key":"t:4:0","version":3,"state":"executing","agent":"clerk","threadId":"t","tool":"refund","effect":"irreversible","argsHash":"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1","scopes":["payments"],"at":4002,"decidedBy":"rule:refunds"}',
    sum: '8b931f726e9847c9',
  },
];
