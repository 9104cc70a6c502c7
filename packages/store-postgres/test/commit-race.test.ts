import { type Checkpoint, isStaleHeadError, type Message } from '@warden/agents';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresAgentStore } from '../src/index.js';
import { checkpointOf, userMessage } from './checkpoint-fixtures.js';
import { replayParams } from './replay-params.js';
import { type TestSchema, testSchema } from './test-database.js';

let db: TestSchema;
let nodes: PostgresAgentStore[];

beforeAll(async () => {
  db = testSchema('race');
  // Two nodes: two stores, two pools, one schema.
  nodes = [await db.open(), await db.open()];
});
afterAll(() => db?.drop());

/** One round: several writers, on both nodes, commit the same next version of one run at once. */
const round = fc.record({
  writers: fc.integer({ min: 2, max: 5 }),
  added: fc.array(fc.string({ maxLength: 40 }), { minLength: 0, maxLength: 3 }),
  keep: fc.boolean(),
});

describe('two nodes committing to one run', () => {
  it('lets exactly one writer win each version, and the head is the winner’s checkpoint', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(round, { minLength: 1, maxLength: 6 }), async (rounds) => {
        const threadId = `race-${run++}`;
        let head = 0;
        let log: Message[] = [];
        for (const { writers, added, keep } of rounds) {
          const attempts = Array.from({ length: writers }, (_, w) => {
            const messages = [...log, ...added.map((t) => userMessage(`${w}:${t}`))];
            const checkpoint = checkpointOf(threadId, head + 1, messages, { task: `writer ${w}` });
            const store = nodes[w % nodes.length] as PostgresAgentStore;
            const commit = store.checkpoints.commit(checkpoint, {
              expectedHead: head,
              ...(keep ? { unchangedBefore: log.length } : {}),
            });
            return commit.then(() => checkpoint);
          });
          const settled = await Promise.allSettled(attempts);
          const won = settled.filter((s) => s.status === 'fulfilled');
          const lost = settled.filter((s) => s.status === 'rejected');
          expect(won).toHaveLength(1);
          for (const l of lost) expect(isStaleHeadError(l.reason)).toBe(true);
          const winner = (won[0] as PromiseFulfilledResult<Checkpoint>).value;
          head++;
          log = [...winner.messages];
          for (const node of nodes) {
            expect(await node.checkpoints.latest(threadId)).toEqual(winner);
          }
        }
        // The losers wrote nothing: one checkpoint row per version, and messages only the
        // winners added.
        const [row] = await db.sql<{ n: number }>(
          'SELECT count(*)::int AS n FROM checkpoints WHERE thread_id = $1',
          [threadId],
        );
        expect(row?.n).toBe(rounds.length);
      }),
      replayParams({ numRuns: 25, verbose: 1 }),
    );
  });
});
