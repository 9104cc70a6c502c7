// Whatever a run does to its context between commits (appends, rewrites, compactions, a new
// task) and however often it is pruned, every checkpoint the store keeps reads back as it was
// committed, and the ones pruning removed are gone.
//
// Replaying a failure: fast-check prints `seed` and `path`; run
//   FC_SEED=<seed> FC_PATH=<path> npx vitest run packages/store-sqlite/test/history.property.test.ts
import type { Checkpoint, Message } from '@warden/agents';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/index.js';
import { replayParams } from './replay-params.js';

type Op =
  | { op: 'append'; n: number }
  | { op: 'replace'; at: number }
  | { op: 'compact'; keep: number }
  | { op: 'truncate'; to: number }
  | { op: 'task' }
  | { op: 'commit'; says: 'unchanged' | 'nothing' | 'too much' }
  | { op: 'prune'; keepLast: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 3 }).map((n): Op => ({ op: 'append', n })) },
  { weight: 1, arbitrary: fc.nat(30).map((at): Op => ({ op: 'replace', at })) },
  { weight: 1, arbitrary: fc.nat(3).map((keep): Op => ({ op: 'compact', keep })) },
  { weight: 1, arbitrary: fc.nat(30).map((to): Op => ({ op: 'truncate', to })) },
  { weight: 1, arbitrary: fc.constant<Op>({ op: 'task' }) },
  {
    weight: 6,
    arbitrary: fc
      .constantFrom('unchanged', 'unchanged', 'unchanged', 'nothing', 'too much')
      .map((says): Op => ({ op: 'commit', says: says as 'unchanged' | 'nothing' | 'too much' })),
  },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 1, max: 6 }).map((k): Op => ({ op: 'prune', keepLast: k })),
  },
);

function say(text: string): Message {
  return { role: 'user', content: [{ type: 'text', text }] };
}

/** How many leading messages two contexts share, as the same objects: what a writer knows. */
function sharedPrefix(a: readonly Message[], b: readonly Message[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

describe('SqliteCheckpointStore: any history', () => {
  it('reads every kept checkpoint as committed through any edits, commits and prunes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 60 }), async (ops) => {
        const store = await openSqliteStore({ path: ':memory:' });
        try {
          let context: Message[] = [say('the task')];
          let task = 'the task';
          let made = 0;
          const committed = new Map<number, Checkpoint>();
          let oldest = 1;
          let head = 0;
          let headMessages: readonly Message[] = [];
          for (const op of ops) {
            if (op.op === 'append') {
              for (let i = 0; i < op.n; i++)
                context.push(say(`m${made++} ${'x'.repeat(made % 7)}`));
            } else if (op.op === 'replace' && context.length > 0) {
              context[op.at % context.length] = say(`r${made++}`);
            } else if (op.op === 'compact') {
              context = [
                ...context.slice(0, Math.min(op.keep, context.length)),
                say(`summary ${made++}`),
              ];
            } else if (op.op === 'truncate') {
              context = context.slice(0, op.to % (context.length + 1));
            } else if (op.op === 'task') {
              task = `task ${made++}`;
            } else if (op.op === 'commit') {
              const version = head + 1;
              const cp: Checkpoint = {
                threadId: 't',
                version,
                agent: version % 5 === 0 ? 'other' : 'a',
                task,
                step: version,
                state: 'planning',
                messages: [...context],
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
              const shared = sharedPrefix(headMessages, context);
              // A writer whose count is off by one more than it shares is caught by the store.
              const unchangedBefore =
                op.says === 'nothing' ? 0 : op.says === 'too much' ? shared + 1 : shared;
              await store.checkpoints.commit(cp, { expectedHead: head, unchangedBefore });
              committed.set(version, cp);
              head = version;
              headMessages = cp.messages;
            } else if (op.op === 'prune' && head > 0) {
              const report = await store.prune('t', { keepLast: op.keepLast, now: 0 });
              const newOldest = Math.max(oldest, head - op.keepLast + 1);
              expect(report.checkpoints).toBe(newOldest - oldest);
              expect(report.messages).toBeGreaterThanOrEqual(0);
              oldest = newOldest;
            }
          }
          expect(await store.checkpoints.latest('t')).toEqual(committed.get(head));
          for (let v = 1; v <= head; v++) {
            expect(await store.checkpoints.at('t', v)).toEqual(
              v < oldest ? undefined : committed.get(v),
            );
          }
          expect((await store.usage('t')).checkpoints).toBe(head === 0 ? 0 : head - oldest + 1);
        } finally {
          await store.close();
        }
      }),
      replayParams({ numRuns: 300 }),
    );
  });
});
