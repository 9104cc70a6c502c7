// Rows as the store wrote them at schema version 4 (a checkpoint row carrying the messages its
// commit wrote, summed in two parts: its fields in `sum`, its messages in `messages_sum`), for
// the upgrade test. Written by the schema-4 store (revision 418645a) from the commits
// `schema-upgrade.test.ts` makes again, then read out of the file.
import type { Schema1Message } from './schema-1-rows.js';
import type { Schema2Thread } from './schema-2-rows.js';
import type { Schema3Checkpoint } from './schema-3-rows.js';

export interface Schema4Checkpoint extends Schema3Checkpoint {
  messages_sum: string;
}

export const SCHEMA_4_ROWS: {
  readonly checkpoints: readonly Schema4Checkpoint[];
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
      bytes: 289,
      sum: '251fad99b106ef27',
      first: 0,
      messages:
        '{"role":"user","content":[{"type":"text","text":"Reconcile the refunds of last week."}]}',
      messages_sum: '4da91db7c055aa58',
    },
    {
      thread: 't',
      version: 2,
      step: 2,
      length: 2,
      finished: 0,
      at: 1700000002000,
      body: '{"state":"acting","spent":{"steps":2,"inputTokens":200,"outputTokens":20,"costUsd":0.02,"wallMs":10,"toolCalls":2,"subagents":0,"unpriced":[]}}',
      bytes: 347,
      sum: '8dd71c29fb90cb86',
      first: 1,
      messages:
        '{"role":"assistant","content":[{"type":"text","text":"looking up order 1"},{"type":"tool-call","callId":"c1","name":"lookup","input":{"order":1}}]}',
      messages_sum: '3836e0e69eff7cc3',
    },
    {
      thread: 't',
      version: 3,
      step: 3,
      length: 3,
      finished: 0,
      at: 1700000003000,
      body: '{"state":"planning","spent":{"steps":3,"inputTokens":300,"outputTokens":30,"costUsd":0.03,"wallMs":15,"toolCalls":3,"subagents":0,"unpriced":[]}}',
      bytes: 320,
      sum: 'cc24c29c0335a62c',
      first: 2,
      messages:
        '{"role":"tool","content":[{"type":"tool-result","callId":"c1","name":"lookup","output":{"order":1,"refunded":false}}]}',
      messages_sum: '9eef8ca9dfde3875',
    },
    {
      thread: 't',
      version: 4,
      step: 4,
      length: 2,
      finished: 0,
      at: 1700000004000,
      body: '{"state":"planning","spent":{"steps":4,"inputTokens":400,"outputTokens":40,"costUsd":0.04,"wallMs":20,"toolCalls":4,"subagents":0,"unpriced":[]}}',
      bytes: 284,
      sum: 'fe278e875d7cb5a5',
      first: 1,
      messages:
        '{"role":"user","content":[{"type":"text","text":"summary: order 1 was refunded"}]}',
      messages_sum: '4f1dbd5d903f8472',
    },
    {
      thread: 't',
      version: 5,
      step: 5,
      length: 3,
      finished: 0,
      at: 1700000005000,
      body: '{"state":"acting","spent":{"steps":5,"inputTokens":500,"outputTokens":50,"costUsd":0.05,"wallMs":25,"toolCalls":5,"subagents":0,"unpriced":[]},"task":"Reconcile the refunds of last week, and report."}',
      bytes: 404,
      sum: '696065d81333bd90',
      first: 2,
      messages:
        '{"role":"assistant","content":[{"type":"text","text":"looking up order 2"},{"type":"tool-call","callId":"c2","name":"lookup","input":{"order":2}}]}',
      messages_sum: '80236840eb0e939c',
    },
    {
      thread: 't',
      version: 6,
      step: 6,
      length: 5,
      finished: 1,
      at: 1700000006000,
      body: '{"state":"done","spent":{"steps":6,"inputTokens":600,"outputTokens":60,"costUsd":0.06,"wallMs":30,"toolCalls":6,"subagents":0,"unpriced":[]},"result":{"threadId":"t","outcome":"done","text":"Done: 2 refunds.","steps":6,"spent":{"steps":6,"inputTokens":600,"outputTokens":60,"costUsd":0.06,"wallMs":30,"toolCalls":6,"subagents":0,"unpriced":[]}}}',
      bytes: 594,
      sum: '36447d8e54cbe85d',
      first: 3,
      messages:
        '{"role":"tool","content":[{"type":"tool-result","callId":"c2","name":"lookup","output":{"order":2,"refunded":true}}]}\n{"role":"assistant","content":[{"type":"text","text":"Done: 2 refunds."}]}',
      messages_sum: '7de99bbf4572fd3d',
    },
    {
      thread: 'u',
      version: 1,
      step: 1,
      length: 1,
      finished: 0,
      at: 1700000007000,
      body: '{"state":"planning","spent":{"steps":1,"inputTokens":100,"outputTokens":10,"costUsd":0.01,"wallMs":5,"toolCalls":1,"subagents":0,"unpriced":[]}}',
      bytes: 272,
      sum: '48af943982fbbf2e',
      first: 0,
      messages: '{"role":"user","content":[{"type":"text","text":"Count the parcels."}]}',
      messages_sum: '7eae76ec7d8748b8',
    },
    {
      thread: 'u',
      version: 2,
      step: 2,
      length: 2,
      finished: 0,
      at: 1700000008000,
      body: '{"state":"planning","spent":{"steps":2,"inputTokens":200,"outputTokens":20,"costUsd":0.02,"wallMs":10,"toolCalls":2,"subagents":0,"unpriced":[]}}',
      bytes: 266,
      sum: '91fb051b6785fd4c',
      first: 1,
      messages: '{"role":"assistant","content":[{"type":"text","text":"Three."}]}',
      messages_sum: 'f5f43de09b5673d7',
    },
  ],
  messages: [],
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
