/**
 * Kill points: a node dies before a random store operation (up to three deaths per run), a fresh
 * node resumes the thread over the same store, and the invariants of `kill-points.ts` hold after
 * every run. Against the in-memory store and the SQLite store (the same code a file database
 * runs, without the disk's flushes: the deaths here are simulated; real ones, SIGKILLs of a
 * process writing a file, are in `sigkill.test.ts`).
 *
 * Replaying a failure: fast-check prints `seed` and `path`. Run
 *   FC_SEED=<seed> FC_PATH=<path> npx vitest run tests/src/durability/kill-points.test.ts -t <store>
 */
import { MemoryAgentStore } from '@warden/agents';
import { openSqliteStore } from '@warden/store-sqlite';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayParams } from '../properties/replay-params.js';
import { crashesArb, type KillPointTally, killPointRun, planArb } from './kill-points.js';

describe('kill points', () => {
  it('in memory: resumes from the last committed checkpoint and repeats no effect, wherever the node dies', async () => {
    const runs = Number(process.env.FC_RUNS ?? 300);
    const tally: KillPointTally = { crashes: 0, runs: 0 };
    await fc.assert(
      fc.asyncProperty(planArb, crashesArb, (plan, crashes) =>
        killPointRun(async () => new MemoryAgentStore(), plan, crashes, tally),
      ),
      replayParams({ numRuns: runs }),
    );
    expect(tally.crashes).toBeGreaterThanOrEqual(runs);
  }, 120_000);

  it('on SQLite: resumes from the last committed checkpoint and repeats no effect, wherever the node dies', async () => {
    // At least 1,000 deaths at random store operations in every test run.
    const runs = Number(process.env.FC_RUNS ?? 1_000);
    const tally: KillPointTally = { crashes: 0, runs: 0 };
    await fc.assert(
      fc.asyncProperty(planArb, crashesArb, (plan, crashes) =>
        killPointRun(() => openSqliteStore({ path: ':memory:' }), plan, crashes, tally),
      ),
      replayParams({ numRuns: runs }),
    );
    if (process.env.FC_RUNS === undefined) expect(tally.crashes).toBeGreaterThanOrEqual(1_000);
  }, 240_000);
});
