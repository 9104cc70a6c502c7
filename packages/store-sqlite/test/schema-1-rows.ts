// Rows as the store wrote them at schema version 1 (one checkpoint row holding every field but
// the messages, task included), for the upgrade test. Written by the schema-1 store (revision
// f97f9ad) from the commits `schema-upgrade.test.ts` makes again, then read out of the file.

export interface Schema1Checkpoint {
  thread: string;
  version: number;
  step: number;
  length: number;
  finished: number;
  at: number;
  body: string;
  bytes: number;
  sum: string;
}

export interface Schema1Message {
  thread: string;
  idx: number;
  version: number;
  body: string;
  bytes: number;
  sum: string;
}

export const SCHEMA_1_ROWS: {
  readonly checkpoints: readonly Schema1Checkpoint[];
  readonly messages: readonly Schema1Message[];
} = {
  checkpoints: [
    {
      thread: 't',
      version: 1,
      step: 1,
      length: 1,
      finished: 0,
      at: 1700000001000,
      body: '{"threadId":"t","version":1,"agent":"clerk","task":"Reconcile the refunds of last week.","step":1,"state":"planning","spent":{"steps":1,"inputTokens":100,"outputTokens":10,"costUsd":0.01,"wallMs":5,"toolCalls":1,"subagents":0,"unpriced":[]}}',
      bytes: 290,
      sum: 'b51b467b3ea0cd3c',
    },
    {
      thread: 't',
      version: 2,
      step: 2,
      length: 2,
      finished: 0,
      at: 1700000002000,
      body: '{"threadId":"t","version":2,"agent":"clerk","task":"Reconcile the refunds of last week.","step":2,"state":"acting","spent":{"steps":2,"inputTokens":200,"outputTokens":20,"costUsd":0.02,"wallMs":10,"toolCalls":2,"subagents":0,"unpriced":[]}}',
      bytes: 289,
      sum: 'ff829aadc2aa0d9e',
    },
    {
      thread: 't',
      version: 3,
      step: 3,
      length: 3,
      finished: 0,
      at: 1700000003000,
      body: '{"threadId":"t","version":3,"agent":"clerk","task":"Reconcile the refunds of last week.","step":3,"state":"planning","spent":{"steps":3,"inputTokens":300,"outputTokens":30,"costUsd":0.03,"wallMs":15,"toolCalls":3,"subagents":0,"unpriced":[]}}',
      bytes: 291,
      sum: 'a062620d92a79d47',
    },
    {
      thread: 't',
      version: 4,
      step: 4,
      length: 2,
      finished: 0,
      at: 1700000004000,
      body: '{"threadId":"t","version":4,"agent":"clerk","task":"Reconcile the refunds of last week.","step":4,"state":"planning","spent":{"steps":4,"inputTokens":400,"outputTokens":40,"costUsd":0.04,"wallMs":20,"toolCalls":4,"subagents":0,"unpriced":[]}}',
      bytes: 291,
      sum: '8803a9d8d223f277',
    },
    {
      thread: 't',
      version: 5,
      step: 5,
      length: 3,
      finished: 0,
      at: 1700000005000,
      body: '{"threadId":"t","version":5,"agent":"clerk","task":"Reconcile the refunds of last week, and report.","step":5,"state":"acting","spent":{"steps":5,"inputTokens":500,"outputTokens":50,"costUsd":0.05,"wallMs":25,"toolCalls":5,"subagents":0,"unpriced":[]}}',
      bytes: 301,
      sum: 'a4624d93d89248d9',
    },
    {
      thread: 't',
      version: 6,
      step: 6,
      length: 5,
      finished: 1,
      at: 1700000006000,
      body: '{"threadId":"t","version":6,"agent":"clerk","task":"Reconcile the refunds of last week.","step":6,"state":"done","spent":{"steps":6,"inputTokens":600,"outputTokens":60,"costUsd":0.06,"wallMs":30,"toolCalls":6,"subagents":0,"unpriced":[]},"result":{"threadId":"t","outcome":"done","text":"Done: 2 refunds.","steps":6,"spent":{"steps":6,"inputTokens":600,"outputTokens":60,"costUsd":0.06,"wallMs":30,"toolCalls":6,"subagents":0,"unpriced":[]}}}',
      bytes: 491,
      sum: '7c601aafd157df27',
    },
    {
      thread: 'u',
      version: 1,
      step: 1,
      length: 1,
      finished: 0,
      at: 1700000007000,
      body: '{"threadId":"u","version":1,"agent":"counter","task":"Count the parcels.","step":1,"state":"planning","spent":{"steps":1,"inputTokens":100,"outputTokens":10,"costUsd":0.01,"wallMs":5,"toolCalls":1,"subagents":0,"unpriced":[]}}',
      bytes: 275,
      sum: '60589446d4705ba4',
    },
    {
      thread: 'u',
      version: 2,
      step: 2,
      length: 2,
      finished: 0,
      at: 1700000008000,
      body: '{"threadId":"u","version":2,"agent":"counter","task":"Count the parcels.","step":2,"state":"planning","spent":{"steps":2,"inputTokens":200,"outputTokens":20,"costUsd":0.02,"wallMs":10,"toolCalls":2,"subagents":0,"unpriced":[]}}',
      bytes: 276,
      sum: '742ed9b970350be5',
    },
  ],
  messages: [
    {
      thread: 't',
      idx: 0,
      version: 1,
      body: '{"role":"user","content":[{"type":"text","text":"Reconcile the refunds of last week."}]}',
      bytes: 137,
      sum: '5ebf8dab151e620d',
    },
    {
      thread: 't',
      idx: 1,
      version: 2,
      body: '{"role":"assistant","content":[{"type":"text","text":"looking up order 1"},{"type":"tool-call","callId":"c1","name":"lookup","input":{"order":1}}]}',
      bytes: 196,
      sum: 'fccfd4157a923b1d',
    },
    {
      thread: 't',
      idx: 1,
      version: 4,
      body: '{"role":"user","content":[{"type":"text","text":"summary: order 1 was refunded"}]}',
      bytes: 131,
      sum: '2960e87670cbb9df',
    },
    {
      thread: 't',
      idx: 2,
      version: 3,
      body: '{"role":"tool","content":[{"type":"tool-result","callId":"c1","name":"lookup","output":{"order":1,"refunded":false}}]}',
      bytes: 167,
      sum: '22ddd8d308b8086a',
    },
    {
      thread: 't',
      idx: 2,
      version: 5,
      body: '{"role":"assistant","content":[{"type":"text","text":"looking up order 2"},{"type":"tool-call","callId":"c2","name":"lookup","input":{"order":2}}]}',
      bytes: 196,
      sum: '0a9e3ca5c90a549b',
    },
    {
      thread: 't',
      idx: 3,
      version: 6,
      body: '{"role":"tool","content":[{"type":"tool-result","callId":"c2","name":"lookup","output":{"order":2,"refunded":true}}]}',
      bytes: 166,
      sum: 'de6570811fc96565',
    },
    {
      thread: 't',
      idx: 4,
      version: 6,
      body: '{"role":"assistant","content":[{"type":"text","text":"Done: 2 refunds."}]}',
      bytes: 123,
      sum: '8cda2fd73385850f',
    },
    {
      thread: 'u',
      idx: 0,
      version: 1,
      body: '{"role":"user","content":[{"type":"text","text":"Count the parcels."}]}',
      bytes: 120,
      sum: '798d910872fefae0',
    },
    {
      thread: 'u',
      idx: 1,
      version: 2,
      body: '{"role":"assistant","content":[{"type":"text","text":"Three."}]}',
      bytes: 113,
      sum: 'e68de8f4606bc524',
    },
  ],
};
