import assert from 'node:assert/strict';
import type { EffectEntry, EffectJournal, EffectState } from '../../governance/effect-journal.js';
import type { AgentStore } from '../agent-store.js';
import { type ConformanceCase, sequence, withStore } from './conformance-case.js';
import { checkpointOf, newEffect, say } from './sample-records.js';

const THREADS = ['t', "t'; DROP TABLE journal; --", 'ünï \u0000 %_'] as const;
const TOOLS = ['send_mail', 'refund', 'lookup'] as const;
const HASHES = ['a1'.repeat(32), 'b2'.repeat(32), 'c3'.repeat(32)] as const;

/** Where each state goes next in this case's runs: on towards a settled state. */
const NEXT: Readonly<Record<EffectState, readonly EffectState[]>> = {
  intent: ['approved', 'denied', 'awaiting_approval'],
  awaiting_approval: ['approved', 'denied'],
  approved: ['executing'],
  denied: [],
  executing: ['done', 'failed', 'unknown'],
  done: [],
  failed: [],
  unknown: ['executing', 'failed'],
};

/** Every call of every thread: `listCall` answers what `list` answers, filtered, in order. */
async function expectEveryCall(journal: EffectJournal, when: string): Promise<void> {
  const listCall = journal.listCall?.bind(journal);
  if (listCall === undefined) return;
  for (const thread of THREADS) {
    const all = await journal.list(thread);
    for (const tool of TOOLS) {
      for (const argsHash of HASHES) {
        const expected = all.filter((e) => e.tool === tool && e.argsHash === argsHash);
        const listed = await listCall(thread, tool, argsHash);
        assert.deepStrictEqual(listed, expected, `${when}: ${thread} ${tool} ${argsHash}`);
      }
    }
  }
}

/**
 * A seeded run of calls over three threads, three tools and three argument hashes (so calls
 * share a tool, or arguments, or a thread, without being the same call), moved on at random,
 * with commits and pruning in between: `listCall` is checked against `list` after every phase.
 */
async function randomCalls(store: AgentStore, seed: number): Promise<void> {
  const { journal } = store;
  const random = sequence(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const live: EffectEntry[] = [];
  const heads = new Map<string, number>();
  let n = 0;
  for (let phase = 0; phase < 4; phase++) {
    for (let op = 0; op < 30; op++) {
      const moving = live.filter((e) => (NEXT[e.state] ?? []).length > 0);
      if (moving.length > 0 && random() < 0.5) {
        const entry = pick(moving);
        const next = await journal.advance(entry.key, entry.version, {
          state: pick(NEXT[entry.state]),
          at: entry.at + 1,
        });
        live[live.indexOf(entry)] = next;
      } else {
        const thread = pick(THREADS);
        const begun = await journal.begin({
          ...newEffect(`k${seed}-${n++}`, thread, 1_000 + n),
          tool: pick(TOOLS),
          argsHash: pick(HASHES),
        });
        live.push(begun);
      }
    }
    await expectEveryCall(journal, `seed ${seed}, phase ${phase}`);
    // Each thread commits a step, so that pruning has steps to go by.
    for (const thread of THREADS) {
      const version = (heads.get(thread) ?? 0) + 1;
      await store.checkpoints.commit(checkpointOf(thread, version, [say('user', 'go')]), {
        expectedHead: version - 1,
      });
      heads.set(thread, version);
    }
    if (phase >= 1) {
      for (const thread of THREADS) await store.prune(thread, { keepLast: 1, now: 0 });
      const kept = new Set<string>();
      for (const thread of THREADS) for (const e of await journal.list(thread)) kept.add(e.key);
      live.splice(0, live.length, ...live.filter((e) => kept.has(e.key)));
      await expectEveryCall(journal, `seed ${seed}, phase ${phase}, pruned`);
    }
  }
}

const listCallAsList: ConformanceCase = {
  name: "lists one call's entries as list filtered to it, in order, across moves, commits and pruning",
  run: async (open) => {
    for (const seed of [1, 2, 3]) await withStore(open, (store) => randomCalls(store, seed));
  },
};

export const JOURNAL_CALL_CASES: readonly ConformanceCase[] = [listCallAsList];
