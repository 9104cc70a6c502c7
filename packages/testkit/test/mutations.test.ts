/**
 * The mutation check: small systems, each with bugs planted in copies of it. With default
 * settings (100 runs, a fresh seed each time) the testkit must find every bug, and must pass
 * every unmutated system: a checker that flags correct code is as useless as one that misses.
 *
 * A failure here prints fast-check's seed and path; replay with
 *   FC_SEED=<seed> FC_PATH=<path> npx vitest run packages/testkit/test/mutations.test.ts
 */

import type fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkSystem,
  type Fault,
  type Invariant,
  isTestkitError,
  type Setup,
  type SystemCheckFailure,
} from '../src/index.js';
import { type MemorySyncBug, memorySyncSystem } from './systems/memory-sync.js';
import { type PaymentsBug, paymentsSystem } from './systems/payments.js';
import { type ResearchBug, researchSystem } from './systems/research.js';
import { type SessionBug, sessionSystem } from './systems/session.js';

interface System {
  readonly setup: Setup;
  readonly faults: fc.Arbitrary<readonly Fault[]>;
  readonly invariants: Invariant[];
}

interface Mutation {
  readonly bug: string;
  /** What the bug is, in the words of the incident it causes. */
  readonly what: string;
  /** The invariant that must catch it. */
  readonly caughtBy: string;
  readonly system: () => System;
}

const systems: { name: string; correct: () => System; mutations: Mutation[] }[] = [
  {
    name: 'payments',
    correct: () => paymentsSystem(),
    mutations: (
      [
        [
          'journal-after-effect',
          'the journal is written after the charge, so a crash between them charges again',
          'no duplicate side effect',
        ],
        [
          'temporary-restart',
          'the payments server is a temporary child: after its first crash nobody serves orders',
          'nothing lost',
        ],
        [
          'approval-skipped-on-retry',
          'a retried order skips the approval an irreversible charge needs',
          'irreversible effects approved',
        ],
      ] as const
    ).map(([bug, what, caughtBy]) => ({
      bug,
      what,
      caughtBy,
      system: () => paymentsSystem(bug as PaymentsBug),
    })),
  },
  {
    name: 'session',
    correct: () => sessionSystem(),
    mutations: [
      {
        bug: 'one-for-one',
        what: 'one_for_one instead of rest_for_one: the API keeps a session from an auth that restarted',
        caughtBy: 'nothing lost',
        system: () => sessionSystem('one-for-one' as SessionBug),
      },
    ],
  },
  {
    name: 'memory-sync',
    correct: () => memorySyncSystem(),
    mutations: (
      [
        [
          'missing-guard',
          'the monitor starts a sync on every tick, running or not',
          'at most one live instance per key',
        ],
        [
          'unlinked-sync',
          'the sync is spawned unlinked: it outlives a monitor that crashed',
          'at most one live instance per key|no orphaned process',
        ],
      ] as const
    ).map(([bug, what, caughtBy]) => ({
      bug,
      what,
      caughtBy,
      system: () => memorySyncSystem(bug as MemorySyncBug),
    })),
  },
  {
    name: 'research',
    correct: () => researchSystem(),
    mutations: (
      [
        [
          'unbounded-retry',
          'a failed model call is retried until it succeeds, outside the spend cap',
          'spend cap respected',
        ],
        [
          'budget-in-memory',
          'the spend is kept in the process: a restart hands out a fresh budget',
          'spend cap respected',
        ],
      ] as const
    ).map(([bug, what, caughtBy]) => ({
      bug,
      what,
      caughtBy,
      system: () => researchSystem(bug as ResearchBug),
    })),
  },
];

describe('mutation check: the testkit with default settings', () => {
  for (const { name, correct, mutations } of systems) {
    it(`passes the unmutated ${name} system over its default 100 runs`, async () => {
      const s = correct();
      const report = await checkSystem(s.setup, { faults: s.faults, invariants: s.invariants });
      expect(report.runs).toBe(100);
    }, 30_000);

    for (const m of mutations) {
      it(`finds the ${name} bug "${m.bug}" (${m.what})`, async () => {
        const s = m.system();
        const error = await checkSystem(s.setup, {
          faults: s.faults,
          invariants: s.invariants,
        }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isTestkitError(error, 'ERR_INVARIANT_VIOLATED'), String(error)).toBe(true);
        const failure = error as SystemCheckFailure;
        expect(failure.violation.invariant).toMatch(new RegExp(`^(${m.caughtBy})$`));
        // shrunk: a handful of faults, not the twenty a schedule may hold
        expect(failure.schedule.length).toBeLessThanOrEqual(4);
        expect(failure.message).toContain(`seed: ${failure.seed}`);
        expect(failure.message).toContain('Timeline:');
      }, 30_000);
    }
  }

  it('plants at least 8 distinct bugs', () => {
    const bugs = systems.flatMap((s) => s.mutations.map((m) => `${s.name}/${m.bug}`));
    expect(new Set(bugs).size).toBeGreaterThanOrEqual(8);
  });
});
