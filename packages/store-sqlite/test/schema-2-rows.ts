// Rows as the store wrote them at schema version 2 (the agent and task once per thread in
// `threads`, a checkpoint row repeating them only where they change, one row per message in
// `messages`), for the upgrade test. Written by the schema-2 store (revision f398211) from the
// commits `schema-upgrade.test.ts` makes again, then read out of the file.
import type { Schema1Checkpoint, Schema1Message } from './schema-1-rows.js';

export interface Schema2Thread {
  thread: string;
  agent: string;
  task: string;
  bytes: number;
  sum: string;
}

export const SCHEMA_2_ROWS: {
  readonly checkpoints: readonly Schema1Checkpoint[];
  readonly messages: readonly Schema1Message[];
  readonly threads: readonly Schema2Thread[];
} = {
  checkpoints: [
    {
      thread: 't',
      version: 1,
      step: 1,
      length: 1,
      finished: 0,
      at: 1700000001000,
      body: '{"state":"planning","spent":{"steps":1,"inputTokens":100,"outputTokens":10,"costUsd":0.01,"wallMs":5,"toolCalls":1,"subagents":0,"unpriced":[]}}',
      bytes: 193,
      sum: '0f3bbb3e57c61f52',
    },
    {
      thread: 't',
      version: 2,
      step: 2,
      length: 2,
      finished: 0,
      at: 1700000002000,
      body: '{"state":"acting","spent":{"steps":2,"inputTokens":200,"outputTokens":20,"costUsd":0.02,"wallMs":10,"toolCalls":2,"subagents":0,"unpriced":[]}}',
      bytes: 192,
      sum: 'a06f1d038f37f3e4',
    },
    {
      thread: 't',
      version: 3,
      step: 3,
      length: 3,
      finished: 0,
      at: 1700000003000,
      body: '{"state":"planning","spent":{"steps":3,"inputTokens":300,"outputTokens":30,"costUsd":0.03,"wallMs":15,"toolCalls":3,"subagents":0,"unpriced":[]}}',
      bytes: 194,
      sum: 'f44aa6e0c1d2a732',
    },
    {
      thread: 't',
      version: 4,
      step: 4,
      length: 2,
      finished: 0,
      at: 1700000004000,
      body: '{"state":"planning","spent":{"steps":4,"inputTokens":400,"outputTokens":40,"costUsd":0.04,"wallMs":20,"toolCalls":4,"subagents":0,"unpriced":[]}}',
      bytes: 194,
      sum: '21cc8762173adca6',
    },
    {
      thread: 't',
      version: 5,
      step: 5,
      length: 3,
      finished: 0,
      at: 1700000005000,
      body: '{"state":"acting","spent":{"steps":5,"inputTokens":500,"outputTokens":50,"costUsd":0.05,"wallMs":25,"toolCalls":5,"subagents":0,"unpriced":[]},"task":"Reconcile the refunds of last week, and report."}',
      bytes: 249,
      sum: 'b632260105067348',
    },
    {
      thread: 't',
      version: 6,
      step: 6,
      length: 5,
      finished: 1,
      at: 1700000006000,
      body: '{"state":"done","spent":{"steps":6,"inputTokens":600,"outputTokens":60,"costUsd":0.06,"wallMs":30,"toolCalls":6,"subagents":0,"unpriced":[]},"result":{"threadId":"t","outcome":"done","text":"Done: 2 refunds.","steps":6,"spent":{"steps":6,"inputTokens":600,"outputTokens":60,"costUsd":0.06,"wallMs":30,"toolCalls":6,"subagents":0,"unpriced":[]}}}',
      bytes: 394,
      sum: '836ac878f491e1d0',
    },
    {
      thread: 'u',
      version: 1,
      step: 1,
      length: 1,
      finished: 0,
      at: 1700000007000,
      body: '{"state":"planning","spent":{"steps":1,"inputTokens":100,"outputTokens":10,"costUsd":0.01,"wallMs":5,"toolCalls":1,"subagents":0,"unpriced":[]}}',
      bytes: 193,
      sum: 'e9b1548c4a0f483a',
    },
    {
      thread: 'u',
      version: 2,
      step: 2,
      length: 2,
      finished: 0,
      at: 1700000008000,
      body: '{"state":"planning","spent":{"steps":2,"inputTokens":200,"outputTokens":20,"costUsd":0.02,"wallMs":10,"toolCalls":2,"subagents":0,"unpriced":[]}}',
      bytes: 194,
      sum: '041413e57ce68974',
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
  threads: [
    {
      thread: 't',
      agent: 'clerk',
      task: 'Reconcile the refunds of last week.',
      bytes: 65,
      sum: '98ebf3d55da97c84',
    },
    {
      thread: 'u',
      agent: 'counter',
      task: 'Count the parcels.',
      bytes: 50,
      sum: '0d23dc6369c2b6b3',
    },
  ],
};
