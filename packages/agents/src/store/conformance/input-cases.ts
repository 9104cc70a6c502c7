import assert from 'node:assert/strict';
import type { Message } from '../../model/message.js';
import { isStoreError } from '../store-error.js';
import { type ConformanceCase, failsWith, withStore } from './conformance-case.js';
import { checkpointOf, newEffect, say } from './sample-records.js';

const isNotJson = (e: unknown) => isStoreError(e, 'ERR_NOT_JSON');

const notJson: ConformanceCase = {
  name: 'refuses a value JSON cannot carry with ERR_NOT_JSON, writing nothing',
  run: (open) =>
    withStore(open, async (store) => {
      const cycle: Record<string, unknown> = { name: 'loop' };
      cycle.self = cycle;
      const head = checkpointOf('t', 1, [say('user', 'task')]);
      await store.checkpoints.commit(head, { expectedHead: 0 });
      for (const output of [cycle, { big: 10n }]) {
        const bad: Message = {
          role: 'tool',
          content: [{ type: 'tool-result', callId: 'c', name: 'f', output }],
        };
        await failsWith(
          () =>
            store.checkpoints.commit(checkpointOf('t', 2, [...head.messages, bad]), {
              expectedHead: 1,
              unchangedBefore: 1,
            }),
          isNotJson,
          'a message',
        );
        assert.deepStrictEqual(await store.checkpoints.latest('t'), head);
      }
      await store.journal.begin(newEffect('k'));
      await store.journal.advance('k', 1, { state: 'approved', at: 2 });
      const executing = await store.journal.advance('k', 2, { state: 'executing', at: 3 });
      await failsWith(
        () => store.journal.advance('k', 3, { state: 'done', at: 4, result: cycle }),
        isNotJson,
        'a result',
      );
      assert.deepStrictEqual(await store.journal.get('k'), executing);
      const dlq = store.deadLetters('d');
      await failsWith(
        () =>
          dlq.put({
            id: 'x',
            traceId: 't',
            input: { n: 1n },
            reason: 'r',
            code: undefined,
            attempts: 1,
            replays: 0,
            recordedAt: 0,
            history: [],
          }),
        isNotJson,
        'a dead letter',
      );
      assert.equal(await dlq.size(), 0);
    }),
};

/** Names that break a store which builds its SQL or its keys out of text. */
const ODD = ["t'; DROP TABLE checkpoints; --", 'a"b\\c', '%_*?[]', 'ünï 🧭 \u0000 nul', ' ', ''];

const oddNames: ConformanceCase = {
  name: 'keeps threads, keys and queues of any name apart, quotes and wildcards included',
  run: (open) =>
    withStore(open, async (store) => {
      for (const [i, name] of ODD.entries()) {
        await store.checkpoints.commit(checkpointOf(name, 1, [say('user', `task ${i}`)]), {
          expectedHead: 0,
        });
        await store.journal.begin(newEffect(name, name));
        await store.deadLetters(name).put({
          id: name,
          traceId: name,
          input: i,
          reason: name,
          code: name,
          attempts: 1,
          replays: 0,
          recordedAt: i,
          history: [],
        });
        await store.queue(name).put({ id: name, request: i, at: i, replays: 0 });
        const granted = await store.leases.acquire(name, name, 1_000, 0);
        assert.ok(granted.acquired);
      }
      for (const [i, name] of ODD.entries()) {
        assert.equal((await store.checkpoints.latest(name))?.threadId, name);
        assert.deepStrictEqual((await store.checkpoints.latest(name))?.messages, [
          say('user', `task ${i}`),
        ]);
        assert.deepStrictEqual(
          (await store.journal.list(name)).map((e) => e.key),
          [name],
        );
        assert.equal((await store.journal.get(name))?.threadId, name);
        assert.deepStrictEqual(
          (await store.deadLetters(name).list()).map((e) => e.input),
          [i],
        );
        assert.deepStrictEqual(
          (await store.queue(name).list()).map((q) => q.request),
          [i],
        );
        assert.equal((await store.leases.current(name))?.owner, name);
      }
    }),
};

export const INPUT_CASES: readonly ConformanceCase[] = [notJson, oddNames];
