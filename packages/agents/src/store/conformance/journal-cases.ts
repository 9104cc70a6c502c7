import assert from 'node:assert/strict';
import {
  EFFECT_TRANSITIONS,
  type EffectEntry,
  type EffectJournal,
  type EffectState,
  type NewEffect,
} from '../../governance/effect-journal.js';
import { isGovernanceError } from '../../governance/governance-error.js';
import { type ConformanceCase, failsWith, withStore } from './conformance-case.js';
import { newEffect } from './sample-records.js';

function intentOf(entry: NewEffect): EffectEntry {
  return {
    ...entry,
    version: 1,
    state: 'intent',
    decidedBy: undefined,
    approval: undefined,
    reason: undefined,
    result: undefined,
  };
}

const isConflict = (e: unknown) => isGovernanceError(e, 'ERR_JOURNAL_CONFLICT');

/** A legal way from `intent` to each state. */
const PATHS: Readonly<Record<EffectState, readonly EffectState[]>> = {
  intent: [],
  awaiting_approval: ['awaiting_approval'],
  approved: ['approved'],
  denied: ['denied'],
  executing: ['approved', 'executing'],
  done: ['approved', 'executing', 'done'],
  failed: ['approved', 'executing', 'failed'],
  unknown: ['approved', 'executing', 'unknown'],
};

async function walk(journal: EffectJournal, key: string, path: readonly EffectState[]) {
  let entry = (await journal.get(key)) as EffectEntry;
  for (const state of path) {
    entry = await journal.advance(key, entry.version, { state, at: entry.at + 1 });
  }
  return entry;
}

const beginOnce: ConformanceCase = {
  name: 'begins an entry in intent and refuses a second begin of its key, keeping the first',
  run: (open) =>
    withStore(open, async (store) => {
      const first = newEffect('k1');
      const written = await store.journal.begin(first);
      assert.deepStrictEqual(written, intentOf(first));
      assert.deepStrictEqual(await store.journal.get('k1'), intentOf(first));
      await failsWith(
        () => store.journal.begin({ ...newEffect('k1', 'other'), tool: 'other_tool' }),
        isConflict,
        'a second begin',
      );
      assert.deepStrictEqual(await store.journal.get('k1'), intentOf(first));
      assert.deepStrictEqual(await store.journal.list('other'), []);
      assert.equal(await store.journal.get('missing'), undefined);
    }),
};

const advanceByVersion: ConformanceCase = {
  name: 'advances an entry only from the version its writer read, one of racing writers winning',
  run: (open) =>
    withStore(open, async (store) => {
      const { journal } = store;
      await journal.begin(newEffect('k'));
      await failsWith(
        () => journal.advance('k', 2, { state: 'approved', at: 2_000 }),
        isConflict,
        'a version ahead',
      );
      await failsWith(
        () => journal.advance('missing', 1, { state: 'approved', at: 2_000 }),
        isConflict,
        'an unknown key',
      );
      assert.deepStrictEqual(await journal.get('k'), intentOf(newEffect('k')));
      const settled = await Promise.allSettled(
        ['rule:a', 'rule:b', 'rule:c', 'rule:d'].map((by) =>
          journal.advance('k', 1, { state: 'approved', at: 2_000, decidedBy: by }),
        ),
      );
      const won = settled.filter((s) => s.status === 'fulfilled');
      assert.equal(won.length, 1, 'exactly one writer moves version 1 on');
      for (const s of settled) if (s.status === 'rejected') assert.ok(isConflict(s.reason));
      const entry = (await journal.get('k')) as EffectEntry;
      assert.equal(entry.version, 2);
      assert.deepStrictEqual(entry, (won[0] as PromiseFulfilledResult<EffectEntry>).value);
      await failsWith(
        () => journal.advance('k', 1, { state: 'executing', at: 3_000 }),
        isConflict,
        'the version it moved from',
      );
    }),
};

const lifecycle: ConformanceCase = {
  name: 'allows exactly the transitions of the effect lifecycle, refusing the others with nothing written',
  run: (open) =>
    withStore(open, async (store) => {
      const { journal } = store;
      const states = Object.keys(EFFECT_TRANSITIONS) as EffectState[];
      for (const from of states) {
        const path = PATHS[from];
        assert.ok(path !== undefined, `a path to ${from}`);
        for (const to of states) {
          const key = `${from}->${to}`;
          await journal.begin(newEffect(key));
          const before = await walk(journal, key, path);
          assert.equal(before.state, from);
          const change = { state: to, at: before.at + 1 };
          if (EFFECT_TRANSITIONS[from].includes(to)) {
            const after = await journal.advance(key, before.version, change);
            assert.equal(after.state, to, key);
            assert.equal(after.version, before.version + 1, key);
          } else {
            await failsWith(
              () => journal.advance(key, before.version, change),
              (e) => isGovernanceError(e, 'ERR_INVALID_TRANSITION'),
              key,
            );
            assert.deepStrictEqual(await journal.get(key), before, key);
          }
        }
      }
    }),
};

const decisionsAndResults: ConformanceCase = {
  name: 'carries decisions forward and gives results back as JSON gives them',
  run: (open) =>
    withStore(open, async (store) => {
      const { journal } = store;
      const begun = newEffect('k');
      await journal.begin(begun);
      await journal.advance('k', 1, {
        state: 'approved',
        at: 2_000,
        decidedBy: 'person:grace',
        approval: 'nonce-1',
      });
      await journal.advance('k', 2, { state: 'executing', at: 3_000 });
      const result = {
        sent: true,
        to: ['ada', 'bob'],
        note: 'ok 🚀 \u0000',
        nothing: null,
        dropped: undefined,
        holes: [1, undefined, 3],
        nested: { deep: { deeper: [{ n: 1.25 }] } },
      };
      const done = await journal.advance('k', 3, { state: 'done', at: 4_000, result });
      const expected: EffectEntry = {
        ...intentOf(begun),
        version: 4,
        state: 'done',
        at: 4_000,
        decidedBy: 'person:grace',
        approval: 'nonce-1',
        result: {
          sent: true,
          to: ['ada', 'bob'],
          note: 'ok 🚀 \u0000',
          nothing: null,
          holes: [1, null, 3],
          nested: { deep: { deeper: [{ n: 1.25 }] } },
        },
      };
      assert.deepStrictEqual(done, expected);
      assert.deepStrictEqual(await journal.get('k'), expected);
      result.nested.deep.deeper.push({ n: 2 });
      assert.deepStrictEqual(await journal.get('k'), expected, 'the writer changing its result');

      await journal.begin(newEffect('null'));
      await journal.advance('null', 1, { state: 'approved', at: 2_000 });
      await journal.advance('null', 2, { state: 'executing', at: 3_000 });
      const nullResult = await journal.advance('null', 3, {
        state: 'done',
        at: 4_000,
        result: null,
      });
      assert.equal(nullResult.result, null);
      assert.equal((await journal.get('null'))?.result, null);

      await journal.begin(newEffect('failed'));
      await journal.advance('failed', 1, { state: 'approved', at: 2_000, decidedBy: 'rule:r1' });
      await journal.advance('failed', 2, { state: 'executing', at: 3_000 });
      const failed = await journal.advance('failed', 3, {
        state: 'failed',
        at: 4_000,
        reason: 'ERR_TIMEOUT',
      });
      assert.deepStrictEqual(failed, {
        ...intentOf(newEffect('failed')),
        version: 4,
        state: 'failed',
        at: 4_000,
        decidedBy: 'rule:r1',
        reason: 'ERR_TIMEOUT',
      });
      assert.deepStrictEqual(await journal.get('failed'), failed);
    }),
};

const listOrder: ConformanceCase = {
  name: "lists a thread's entries in the order they began, whatever moved since",
  run: (open) =>
    withStore(open, async (store) => {
      const { journal } = store;
      for (const [key, thread] of [
        ['z', 't1'],
        ['a', 't2'],
        ['m', 't1'],
        ['b', 't1'],
        ['c', 't2'],
      ] as const) {
        await journal.begin(newEffect(key, thread));
      }
      await journal.advance('z', 1, { state: 'denied', at: 5_000, reason: 'no' });
      const t1 = await journal.list('t1');
      assert.deepStrictEqual(
        t1.map((e) => e.key),
        ['z', 'm', 'b'],
      );
      assert.deepStrictEqual(t1[0], await journal.get('z'));
      assert.deepStrictEqual(
        (await journal.list('t2')).map((e) => e.key),
        ['a', 'c'],
      );
      assert.deepStrictEqual(await journal.list('none'), []);
    }),
};

const listCall: ConformanceCase = {
  name: "lists one call's entries as list filtered by tool and arguments, if it has listCall",
  run: (open) =>
    withStore(open, async (store) => {
      const { journal } = store;
      if (journal.listCall === undefined) return; // optional: the gate reads `list` instead
      const call = (key: string, thread: string, tool: string, args: string) => ({
        ...newEffect(key, thread),
        tool,
        argsHash: args.repeat(64),
      });
      const same = (entries: readonly EffectEntry[]) => entries.map((e) => e.key);
      await journal.begin(call('k1', 't1', 'send_mail', 'a'));
      await journal.begin(call('k2', 't1', 'send_mail', 'b'));
      // Asked once the thread has entries, then again after more began.
      assert.deepStrictEqual(same(await journal.listCall('t1', 'send_mail', 'a'.repeat(64))), [
        'k1',
      ]);
      await journal.begin(call('k3', 't1', 'drop_db', 'a'));
      await journal.begin(call('k4', 't2', 'send_mail', 'a'));
      await journal.begin(call('k5', 't1', 'send_mail', 'a'));
      await journal.advance('k1', 1, { state: 'denied', at: 5_000, reason: 'no' });
      const listed = await journal.listCall('t1', 'send_mail', 'a'.repeat(64));
      assert.deepStrictEqual(same(listed), ['k1', 'k5']);
      assert.deepStrictEqual(listed[0], await journal.get('k1'));
      assert.deepStrictEqual(same(await journal.listCall('t1', 'drop_db', 'a'.repeat(64))), ['k3']);
      assert.deepStrictEqual(await journal.listCall('t3', 'send_mail', 'a'.repeat(64)), []);
    }),
};

export const JOURNAL_CASES: readonly ConformanceCase[] = [
  beginOnce,
  advanceByVersion,
  lifecycle,
  decisionsAndResults,
  listOrder,
  listCall,
];
