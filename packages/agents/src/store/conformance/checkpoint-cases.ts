import assert from 'node:assert/strict';
import type { Message } from '../../model/message.js';
import type { Checkpoint } from '../checkpoint.js';
import { isStaleHeadError } from '../checkpoint-store.js';
import { isStoreError } from '../store-error.js';
import { type ConformanceCase, failsWith, sequence, withStore } from './conformance-case.js';
import { checkpointOf, say, spentAt } from './sample-records.js';

/** Text in many scripts, a combining mark, a NUL, a lone surrogate and a line separator. */
const UNICODE = 'naïve café · 日本語 · עברית · 🧭🚀 · e\u0301 · nul\u0000 · lone\ud800 · sep\u2028';

function everyPart(): Message[] {
  return [
    say('user', `task: ${UNICODE}`),
    {
      role: 'assistant',
      content: [
        { type: 'text', text: 'looking it up' },
        {
          type: 'tool-call',
          callId: 'c1',
          name: 'lookup',
          input: { id: 42, nested: { list: [1, 'two', null, true, { deep: [] }] }, ключ: UNICODE },
        },
        {
          type: 'tool-call',
          callId: 'c2',
          name: 'lookup',
          input: '{"id": 4',
          inputError: 'Unexpected end of JSON input',
        },
      ],
    },
    {
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          callId: 'c1',
          name: 'lookup',
          output: { rows: Array.from({ length: 20_000 }, (_, i) => i * 1.5), tiny: 1e-7 },
        },
        { type: 'tool-result', callId: 'c2', name: 'lookup', output: 'bad input', isError: true },
      ],
    },
    say('assistant', 'x'.repeat(1 << 20)),
  ];
}

const roundTrip: ConformanceCase = {
  name: 'commits and reads back a checkpoint with every field, every part type, unicode and 1 MiB of text',
  run: (open) =>
    withStore(open, async (store) => {
      const first = checkpointOf('t', 1, everyPart(), { state: 'acting', step: 3 });
      await store.checkpoints.commit(first, { expectedHead: 0 });
      assert.deepStrictEqual(await store.checkpoints.latest('t'), first);
      const finished = checkpointOf('t', 2, [...everyPart(), say('assistant', UNICODE)], {
        state: 'done',
        step: 4,
        task: `the task, verbatim: ${UNICODE}`,
        result: { threadId: 't', outcome: 'done', text: UNICODE, steps: 4, spent: spentAt(4) },
      });
      await store.checkpoints.commit(finished, { expectedHead: 1 });
      assert.deepStrictEqual(await store.checkpoints.latest('t'), finished);
      assert.equal(await store.checkpoints.latest('other'), undefined);
      const other = checkpointOf('other', 1, [say('user', 'another thread')]);
      await store.checkpoints.commit(other, { expectedHead: 0 });
      assert.deepStrictEqual(await store.checkpoints.latest('other'), other);
      assert.deepStrictEqual(await store.checkpoints.latest('t'), finished);
    }),
};

const staleWriter: ConformanceCase = {
  name: 'refuses a stale writer with ERR_STALE_HEAD and writes nothing',
  run: (open) =>
    withStore(open, async (store) => {
      const cps = store.checkpoints;
      await cps.commit(checkpointOf('t', 1, [say('user', 'a')]), { expectedHead: 0 });
      const head = checkpointOf('t', 2, [say('user', 'a'), say('assistant', 'b')]);
      await cps.commit(head, { expectedHead: 1, unchangedBefore: 1 });
      for (const expectedHead of [0, 1, 3]) {
        const stale = checkpointOf('t', expectedHead + 1, [say('user', 'stale')]);
        await failsWith(
          () => cps.commit(stale, { expectedHead }),
          isStaleHeadError,
          `expected head ${expectedHead}`,
        );
        assert.deepStrictEqual(await cps.latest('t'), head);
      }
      await failsWith(
        () => cps.commit(checkpointOf('new', 2, [say('user', 'x')]), { expectedHead: 1 }),
        isStaleHeadError,
        'a thread never committed has head 0',
      );
      assert.equal(await cps.latest('new'), undefined);
    }),
};

const racingWriters: ConformanceCase = {
  name: 'lets exactly one of several writers racing from the same head commit',
  run: (open) =>
    withStore(open, async (store) => {
      const cps = store.checkpoints;
      await cps.commit(checkpointOf('t', 1, [say('user', 'a')]), { expectedHead: 0 });
      const rivals = [0, 1, 2, 3].map((i) =>
        checkpointOf('t', 2, [say('user', 'a'), say('assistant', `writer ${i}`)]),
      );
      const settled = await Promise.allSettled(
        rivals.map((cp) => cps.commit(cp, { expectedHead: 1, unchangedBefore: 1 })),
      );
      const won = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [i] : []));
      assert.equal(won.length, 1, 'exactly one writer wins');
      for (const s of settled) {
        if (s.status === 'rejected') assert.ok(isStaleHeadError(s.reason), String(s.reason));
      }
      assert.deepStrictEqual(await cps.latest('t'), rivals[won[0] as number]);
    }),
};

const versionFollowsHead: ConformanceCase = {
  name: 'refuses a version that does not follow the head with a RangeError, writing nothing',
  run: (open) =>
    withStore(open, async (store) => {
      const cps = store.checkpoints;
      const isRange = (e: unknown) => e instanceof RangeError;
      await failsWith(
        () => cps.commit(checkpointOf('t', 2, [say('user', 'a')]), { expectedHead: 0 }),
        isRange,
        'first version 2',
      );
      assert.equal(await cps.latest('t'), undefined);
      const head = checkpointOf('t', 1, [say('user', 'a')]);
      await cps.commit(head, { expectedHead: 0 });
      for (const version of [1, 3, 0]) {
        await failsWith(
          () => cps.commit(checkpointOf('t', version, [say('user', 'b')]), { expectedHead: 1 }),
          isRange,
          `version ${version} on head 1`,
        );
      }
      assert.deepStrictEqual(await cps.latest('t'), head);
    }),
};

/**
 * A writer that appends, rewrites earlier messages (compaction: fewer messages, a summary in
 * place of several), truncates, and sometimes hands the store copies equal to its messages
 * rather than the same objects. One thread is committed with what it says is unchanged, the other
 * in full: both heads must be the same after every commit.
 */
const deltasAsFull: ConformanceCase = {
  name: 'gives the same head from delta commits as from full ones, through appends, compactions and truncations',
  run: (open) =>
    withStore(open, async (store) => {
      const cps = store.checkpoints;
      const random = sequence(16);
      const pick = (n: number) => Math.floor(random() * n);
      let context: Message[] = [say('user', 'the task')];
      let unchanged = 0;
      let made = 0;
      for (let version = 1; version <= 80; version++) {
        if (version > 1) {
          const op = pick(10);
          if (op < 6) {
            for (let n = 1 + pick(3); n > 0; n--) {
              context.push(say(made % 2 === 0 ? 'assistant' : 'tool', `m${made++} ${UNICODE}`));
            }
          } else if (op < 8 && context.length > 2) {
            // Compaction: the anchor stays, a stretch after it becomes one summary.
            const keep = 1 + pick(Math.min(2, context.length - 1));
            const cut = keep + 1 + pick(context.length - keep);
            context = [
              ...context.slice(0, keep),
              say('user', `summary ${made++}`),
              ...context.slice(cut),
            ];
            unchanged = Math.min(unchanged, keep);
          } else if (op < 9 && context.length > 1) {
            const at = pick(context.length);
            context[at] = say('assistant', `rewritten ${made++}`);
            unchanged = Math.min(unchanged, at);
          } else if (context.length > 2) {
            context.length -= 1 + pick(2);
            unchanged = Math.min(unchanged, context.length);
          }
        }
        const expected = structuredClone(context);
        const given = random() < 0.3 ? structuredClone(context) : [...context];
        const headLength = version === 1 ? 0 : (await cps.latest('delta'))?.messages.length;
        // Saying more than the head held is within the contract when all of it is unchanged.
        const said = unchanged === headLength && random() < 0.3 ? unchanged + 1_000 : unchanged;
        await cps.commit(checkpointOf('delta', version, given), {
          expectedHead: version - 1,
          unchangedBefore: said,
        });
        await cps.commit(checkpointOf('full', version, [...context]), {
          expectedHead: version - 1,
        });
        const delta = (await cps.latest('delta')) as Checkpoint;
        const full = (await cps.latest('full')) as Checkpoint;
        assert.deepStrictEqual(delta.messages, expected, `delta head at version ${version}`);
        assert.deepStrictEqual(full.messages, expected, `full head at version ${version}`);
        assert.deepStrictEqual({ ...delta, threadId: 'full' }, full);
        unchanged = context.length;
      }
    }),
};

const writerChangesAfter: ConformanceCase = {
  name: 'keeps a commit as it was made, whatever the writer changes afterwards',
  run: (open) =>
    withStore(open, async (store) => {
      const cps = store.checkpoints;
      const messages: Message[] = [
        say('user', 'task'),
        {
          role: 'assistant',
          content: [{ type: 'tool-call', callId: 'c', name: 'find', input: { q: 'a' } }],
        },
      ];
      const cp = checkpointOf('t', 1, messages, { step: 3 });
      const snapshot = structuredClone(cp);
      await cps.commit(cp, { expectedHead: 0 });
      messages.push(say('assistant', 'later'));
      messages[0] = say('user', 'replaced');
      const acted = messages[1] as unknown as { content: { input?: { q: string } }[] };
      (acted.content[0]?.input as { q: string }).q = 'changed';
      acted.content.push({});
      (cp.spent.unpriced as string[]).push('changed');
      (cp as { step: number }).step = 9;
      assert.deepStrictEqual(await cps.latest('t'), snapshot);
      // The next commit, from the changed context, holds the change: nothing was shared.
      await cps.commit(checkpointOf('t', 2, messages), { expectedHead: 1, unchangedBefore: 0 });
      assert.deepStrictEqual((await cps.latest('t'))?.messages, structuredClone(messages));
    }),
};

const fencedCommit: ConformanceCase = {
  name: 'refuses with ERR_FENCED a commit whose lease changed hands, writing nothing',
  run: (open) =>
    withStore(open, async (store) => {
      const cps = store.checkpoints;
      const isFenced = (e: unknown) => isStoreError(e, 'ERR_FENCED');
      await failsWith(
        () =>
          cps.commit(checkpointOf('t', 1, [say('user', 'a')]), {
            expectedHead: 0,
            fence: { key: 'run:t', token: 1 },
          }),
        isFenced,
        'a key never leased',
      );
      assert.equal(await cps.latest('t'), undefined);
      const first = await store.leases.acquire('run:t', 'node-a', 1_000, 0);
      assert.ok(first.acquired);
      const v1 = checkpointOf('t', 1, [say('user', 'a')]);
      await cps.commit(v1, { expectedHead: 0, fence: { key: 'run:t', token: first.lease.token } });
      const second = await store.leases.acquire('run:t', 'node-b', 1_000, 1_000);
      assert.ok(second.acquired);
      assert.equal(second.lease.token, first.lease.token + 1);
      await failsWith(
        () =>
          cps.commit(checkpointOf('t', 2, [say('user', 'a'), say('assistant', 'old owner')]), {
            expectedHead: 1,
            unchangedBefore: 1,
            fence: { key: 'run:t', token: first.lease.token },
          }),
        isFenced,
        'the old owner after the takeover',
      );
      assert.deepStrictEqual(await cps.latest('t'), v1);
      const v2 = checkpointOf('t', 2, [say('user', 'a'), say('assistant', 'new owner')]);
      await cps.commit(v2, {
        expectedHead: 1,
        unchangedBefore: 1,
        fence: { key: 'run:t', token: second.lease.token },
      });
      assert.equal(await store.leases.release(second.lease), true);
      await failsWith(
        () =>
          cps.commit(checkpointOf('t', 3, [say('user', 'a')]), {
            expectedHead: 2,
            fence: { key: 'run:t', token: second.lease.token },
          }),
        isFenced,
        'after the release',
      );
      assert.deepStrictEqual(await cps.latest('t'), v2);
    }),
};

export const CHECKPOINT_CASES: readonly ConformanceCase[] = [
  roundTrip,
  staleWriter,
  racingWriters,
  versionFollowsHead,
  deltasAsFull,
  writerChangesAfter,
  fencedCommit,
];
