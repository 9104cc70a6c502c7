import assert from 'node:assert/strict';
import type { EffectState } from '../../governance/effect-journal.js';
import type { Message } from '../../model/message.js';
import type { AgentStore } from '../agent-store.js';
import type { Checkpoint } from '../checkpoint.js';
import { isStoreError } from '../store-error.js';
import { type ConformanceCase, failsWith, withStore } from './conformance-case.js';
import { checkpointOf, newEffect, say, spentAt } from './sample-records.js';

/** Far from any clock a store may stamp commits with (a test clock near 0, or `Date.now()`). */
const NOW = 4e15;
const AGE = 1e15;
const PATHS: Partial<Record<EffectState, readonly EffectState[]>> = {
  done: ['approved', 'executing', 'done'],
  denied: ['denied'],
  approved: ['approved'],
  executing: ['approved', 'executing'],
};

/** Begins a journal entry now (at the thread's current head) and walks it to `state`. */
async function call(store: AgentStore, key: string, threadId: string, state: EffectState) {
  let entry = await store.journal.begin(newEffect(key, threadId));
  for (const next of PATHS[state] ?? []) {
    entry = await store.journal.advance(key, entry.version, { state: next, at: entry.at + 1 });
  }
}

/** Commits the next version of a thread, saying what is unchanged, and answers it. */
async function commit(
  store: AgentStore,
  threadId: string,
  version: number,
  messages: readonly Message[],
  step: number,
  unchangedBefore: number,
  extra: Partial<Checkpoint> = {},
): Promise<Checkpoint> {
  const cp = checkpointOf(threadId, version, messages, { step, ...extra });
  await store.checkpoints.commit(cp, { expectedHead: version - 1, unchangedBefore });
  return cp;
}

const keepsWhatResumeNeeds: ConformanceCase = {
  name: 'prunes to the newest checkpoints, keeping the head, its messages and the journal entries a resume needs',
  run: (open) =>
    withStore(open, async (store) => {
      const task = say('user', 'the task');
      const a = (n: number) => say('assistant', `answer ${n}`);
      const r = (n: number) => say('tool', `result ${n}`);
      const summary = say('user', 'summary of 1 and 2');
      // Versions 1..7 at steps 0, 1, 1, 2, 3, 4, 5; version 5 is a compaction.
      const steps = [0, 0, 1, 1, 2, 3, 4, 5];
      await commit(store, 'p', 1, [task], 0, 0);
      await call(store, 'A', 'p', 'done');
      await commit(store, 'p', 2, [task, a(1)], 1, 1);
      await call(store, 'B', 'p', 'approved');
      await call(store, 'C', 'p', 'done');
      await commit(store, 'p', 3, [task, a(1), r(1)], 1, 2);
      await commit(store, 'p', 4, [task, a(1), r(1), a(2)], 2, 3);
      await call(store, 'D', 'p', 'denied');
      await commit(store, 'p', 5, [task, summary, a(3)], 3, 1);
      await call(store, 'E', 'p', 'executing');
      await commit(store, 'p', 6, [task, summary, a(3), r(3)], 4, 3);
      await call(store, 'F', 'p', 'done');
      const head = await commit(store, 'p', 7, [task, summary, a(3), r(3), a(4)], 5, 4);
      await commit(store, 'q', 1, [say('user', 'another thread')], 0, 0);
      await call(store, 'Q', 'q', 'done');

      const before = await store.usage('p');
      assert.ok(before.checkpoints >= 1 && before.checkpoints <= 7, `holds ${before.checkpoints}`);
      const report = await store.prune('p', { keepLast: 3, now: NOW, finishedOlderThanMs: AGE });
      const after = await store.usage('p');
      const kept = Math.min(3, before.checkpoints);
      assert.equal(after.checkpoints, kept, 'the newest keepLast of what it held');
      assert.equal(report.checkpoints, before.checkpoints - kept);
      assert.equal(report.threads, 0);
      assert.ok(Number.isInteger(report.messages) && report.messages >= 0);
      assert.ok(after.bytes <= before.bytes);
      // Settled entries that began before the step before the oldest kept step go.
      const oldestStep = steps[8 - kept] as number;
      const began: Record<string, number> = { A: 0, B: 1, C: 1, D: 2, E: 3, F: 4 };
      const settled = new Set(['A', 'C', 'D', 'F']);
      const expected = Object.keys(began).filter(
        (k) => !settled.has(k) || (began[k] as number) >= oldestStep - 1,
      );
      const left = (await store.journal.list('p')).map((e) => e.key);
      assert.deepStrictEqual(left, expected);
      assert.equal(report.journalEntries, 6 - expected.length);
      assert.deepStrictEqual(await store.checkpoints.latest('p'), head);

      // The head's messages written before the kept checkpoints are still there for the next.
      const next = await commit(store, 'p', 8, [...head.messages, r(4)], 6, 5);
      assert.deepStrictEqual(await store.checkpoints.latest('p'), next);
      const second = await store.prune('p', { keepLast: 1, now: NOW });
      assert.equal((await store.usage('p')).checkpoints, 1);
      assert.deepStrictEqual(
        (await store.journal.list('p')).map((e) => e.key),
        ['B', 'E'],
        'only what is not settled is left',
      );
      assert.equal(second.journalEntries, expected.length - 2);
      assert.deepStrictEqual(await store.checkpoints.latest('p'), next);
      const last = await commit(store, 'p', 9, [...next.messages, a(5)], 7, 6);
      assert.deepStrictEqual(await store.checkpoints.latest('p'), last);
      // Another thread is never touched.
      assert.equal((await store.checkpoints.latest('q'))?.version, 1);
      assert.deepStrictEqual(
        (await store.journal.list('q')).map((e) => e.key),
        ['Q'],
      );
    }),
};

const finishedThreads: ConformanceCase = {
  name: 'removes a finished thread older than the age whole, and never an unfinished or a younger one',
  run: (open) =>
    withStore(open, async (store) => {
      const result = {
        threadId: 'f',
        outcome: 'done' as const,
        text: 'finished',
        steps: 2,
        spent: spentAt(2),
      };
      await commit(store, 'f', 1, [say('user', 'task f')], 0, 0);
      await call(store, 'F1', 'f', 'done');
      await call(store, 'F2', 'f', 'executing');
      await store.memory.put([{ threadId: 'f', step: 1, text: 'compacted away from f' }]);
      await commit(store, 'f', 2, [say('user', 'task f'), say('assistant', 'x')], 2, 1, {
        state: 'done',
        result,
      });
      await commit(store, 'u', 1, [say('user', 'task u')], 0, 0);
      await store.memory.put([{ threadId: 'u', step: 1, text: 'compacted away from u' }]);
      const young = await commit(store, 'y', 1, [say('user', 'task y')], 1, 0, {
        state: 'done',
        result: { ...result, threadId: 'y' },
      });

      const held = (await store.usage('f')).checkpoints;
      const removed = await store.prune('f', { keepLast: 5, now: NOW, finishedOlderThanMs: AGE });
      assert.equal(removed.threads, 1);
      assert.equal(removed.checkpoints, held);
      assert.equal(removed.journalEntries, 2);
      assert.ok(removed.messages >= 2);
      assert.equal(await store.checkpoints.latest('f'), undefined);
      assert.deepStrictEqual(await store.journal.list('f'), []);
      assert.equal(await store.journal.get('F1'), undefined);
      assert.deepStrictEqual(await store.memory.search('f', 'compacted', 5), []);
      assert.deepStrictEqual(await store.usage('f'), {
        threadId: 'f',
        checkpoints: 0,
        bytes: 0,
        bytesPerStep: 0,
      });

      const unfinished = await store.prune('u', { keepLast: 1, now: NOW, finishedOlderThanMs: 0 });
      assert.equal(unfinished.threads, 0);
      assert.equal((await store.checkpoints.latest('u'))?.version, 1);
      assert.equal((await store.memory.search('u', 'compacted', 5)).length, 1);
      const younger = await store.prune('y', { keepLast: 1, now: NOW, finishedOlderThanMs: 1e16 });
      assert.equal(younger.threads, 0);
      assert.deepStrictEqual(await store.checkpoints.latest('y'), young);
      const unaged = await store.prune('y', { keepLast: 1, now: NOW });
      assert.equal(unaged.threads, 0);
      assert.deepStrictEqual(await store.checkpoints.latest('y'), young);

      // A removed thread starts over from head 0.
      const again = await commit(store, 'f', 1, [say('user', 'task f again')], 0, 0);
      assert.deepStrictEqual(await store.checkpoints.latest('f'), again);
      assert.deepStrictEqual(await store.prune('none', { keepLast: 1, now: NOW }), {
        checkpoints: 0,
        messages: 0,
        journalEntries: 0,
        threads: 0,
      });
    }),
};

const badRetention: ConformanceCase = {
  name: 'refuses a retention that would not keep the head, naming the field, removing nothing',
  run: (open) =>
    withStore(open, async (store) => {
      const head = await commit(store, 't', 1, [say('user', 'task')], 0, 0, {
        state: 'done',
        result: { threadId: 't', outcome: 'done', text: '', steps: 0, spent: spentAt(0) },
      });
      const bad: [string, object][] = [
        ['retention.keepLast', { keepLast: 0, now: NOW, finishedOlderThanMs: 0 }],
        ['retention.keepLast', { keepLast: 1.5, now: NOW, finishedOlderThanMs: 0 }],
        ['retention.now', { keepLast: 1, now: Number.NaN, finishedOlderThanMs: 0 }],
        ['retention.finishedOlderThanMs', { keepLast: 1, now: NOW, finishedOlderThanMs: -1 }],
      ];
      for (const [field, retention] of bad) {
        await failsWith(
          () => store.prune('t', retention as never),
          (e) => isStoreError(e, 'ERR_INVALID_OPTION') && e.field === field,
          field,
        );
      }
      assert.deepStrictEqual(await store.checkpoints.latest('t'), head);
    }),
};

/**
 * A 100-step run appending one message a step: the bytes the store reports grow by about the
 * same amount each step. A store that copies the history at every step grows by about five
 * times more over the last third of the run than over the first.
 */
const usageGrowth: ConformanceCase = {
  name: 'reports usage that grows by what each step adds, not by the whole history',
  run: (open) =>
    withStore(open, async (store) => {
      assert.deepStrictEqual(await store.usage('run'), {
        threadId: 'run',
        checkpoints: 0,
        bytes: 0,
        bytesPerStep: 0,
      });
      const messages: Message[] = [say('user', 'the task')];
      const bytesAt = new Map<number, number>();
      for (let step = 1; step <= 100; step++) {
        messages.push(say('assistant', `${String(step).padStart(3, '0')} ${'·'.repeat(300)}`));
        await store.checkpoints.commit(checkpointOf('run', step, [...messages]), {
          expectedHead: step - 1,
          unchangedBefore: messages.length - 1,
        });
        if ([1, 34, 67, 100].includes(step)) {
          const usage = await store.usage('run');
          assert.equal(usage.threadId, 'run');
          assert.ok(usage.checkpoints >= 1);
          assert.ok(Math.abs(usage.bytesPerStep - usage.bytes / step) < 1e-9 * usage.bytes);
          let held = 0;
          for (const m of messages) held += Buffer.byteLength(JSON.stringify(m));
          assert.ok(usage.bytes >= held, `step ${step}: ${usage.bytes} bytes hold ${held}`);
          bytesAt.set(step, usage.bytes);
        }
      }
      const early = (bytesAt.get(34) as number) - (bytesAt.get(1) as number);
      const late = (bytesAt.get(100) as number) - (bytesAt.get(67) as number);
      assert.ok(early > 0);
      assert.ok(late <= 1.25 * early, `33 late steps took ${late} bytes, 33 early ones ${early}`);
    }),
};

export const RETENTION_CASES: readonly ConformanceCase[] = [
  keepsWhatResumeNeeds,
  finishedThreads,
  badRetention,
  usageGrowth,
];
