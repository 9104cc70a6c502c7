// Journal rows as the store wrote them at schema version 2 (no columns for the call: its tool
// and arguments' hash only in the body), for the upgrade test. Written by the schema-2 store
// (revision fe75f2b), then read out of the database: on thread `t`, a refund done, a lookup, a
// refund of other arguments whose outcome is unknown, and the first refund made again, now
// executing; on thread `u`, the same refund, denied.

export interface Schema2JournalRow {
  key: string;
  thread_id: string;
  position: number;
  begun_step: number;
  version: number;
  state: string;
  body: string;
  checksum: string;
}

export const SCHEMA_2_JOURNAL_ROWS: readonly Schema2JournalRow[] = [
  {
    key: 't:1:0',
    thread_id: 't',
    position: 1,
    begun_step: 0,
    version: 4,
    state: 'done',
    body: '{"key":"t:1:0","version":4,"state":"done","agent":"clerk","threadId":"t","tool":"refund","effect":"irreversible","argsHash":"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1","scopes":["payments"],"at":1003,"decidedBy":"rule:refunds","result":{"refunded":true,"order":1}}',
    checksum: 'PNE7DymD0nqLf8thn8gtY5-sBO9UeBXVmn19yzkLNsY',
  },
  {
    key: 't:2:0',
    thread_id: 't',
    position: 2,
    begun_step: 0,
    version: 1,
    state: 'intent',
    body: '{"key":"t:2:0","version":1,"state":"intent","agent":"clerk","threadId":"t","tool":"lookup","effect":"read","argsHash":"b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2","scopes":[],"at":2000}',
    checksum: '26xjUmpQr4V7CufSpGa0JVODAxSPro6zZSEEJUZlfzM',
  },
  {
    key: 'u:1:0',
    thread_id: 'u',
    position: 3,
    begun_step: 0,
    version: 2,
    state: 'denied',
    body: '{"key":"u:1:0","version":2,"state":"denied","agent":"clerk","threadId":"u","tool":"refund","effect":"irreversible","argsHash":"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1","scopes":["payments"],"at":2501,"decidedBy":"person:grace","reason":"not this one"}',
    checksum: 'Icj3inIBf7FTqCdfK3am4Pm7cN1EYQMIMVtFuNWziGc',
  },
  {
    key: 't:3:0',
    thread_id: 't',
    position: 4,
    begun_step: 0,
    version: 4,
    state: 'unknown',
    body: '{"key":"t:3:0","version":4,"state":"unknown","agent":"clerk","threadId":"t","tool":"refund","effect":"irreversible","argsHash":"c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3","scopes":["payments"],"at":3003,"decidedBy":"person:grace","approval":"nonce-1"}',
    checksum: 'e2wK1QYtS_7Bq-NRRGjrHs4Z2w8jtDnodGLELASMxtg',
  },
  {
    key: 't:4:0',
    thread_id: 't',
    position: 5,
    begun_step: 0,
    version: 3,
    state: 'executing',
    body: '{"key":"t:4:0","version":3,"state":"executing","agent":"clerk","threadId":"t","tool":"refund","effect":"irreversible","argsHash":"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1","scopes":["payments"],"at":4002,"decidedBy":"rule:refunds"}',
    checksum: '2lb1I-Tq8hEqbRmS_Ltrpb3IVgklaCQflrO4mntlDok',
  },
];
