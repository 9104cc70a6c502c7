import { afterEach, describe, expect, it } from 'vitest';
import { BenchCheckError } from '../src/check.js';
import { langgraphSqliteRig } from '../src/contenders/durable-langgraph-rig.js';
import type { DurableRig } from '../src/contenders/durable-rig.js';
import { wardenSqliteRig } from '../src/contenders/durable-warden-rig.js';
import type { Case, ContenderName } from '../src/workload.js';
import { durability, POSTGRES_HOW_TO } from '../src/workloads/durability.js';
import { conversation } from '../src/workloads/durability-conversation.js';
import { inTempDir, measureCommits } from '../src/workloads/durability-measure.js';

// Benchmarks are not tests: this runs every durability case once at a tiny size, so the cases
// cannot rot, and shows that their checks reject a store that lost or changed a commit. No
// timing is asserted. The PostgreSQL case runs too: like the store's own tests, this file never
// skips it, and fails saying how to get a database when WARDEN_PG_URL is not set.
const TINY = 0.001;

function casesById(): Map<string, Case> {
  return new Map(durability.cases(TINY).map((c) => [c.id, c]));
}

async function sample(id: string, contender: ContenderName): Promise<Record<string, number>> {
  const run = casesById().get(id)?.run[contender];
  if (run === undefined) throw new Error(`${id} has no run for ${contender}`);
  return run();
}

describe('the durability cases run at a tiny size', () => {
  for (const id of [
    'durability/commit-sqlite',
    'durability/commit-sqlite-full',
    'durability/commit-postgres',
  ]) {
    for (const contender of ['warden', 'langgraph'] as const) {
      it(`${id} commits, reads back and reports p50 <= p99 on ${contender}`, {
        timeout: 30_000,
      }, async () => {
        if (id.endsWith('postgres') && !process.env.WARDEN_PG_URL) {
          throw new Error(`${id} ${POSTGRES_HOW_TO}`);
        }
        const { p50, p99, mean } = await sample(id, contender);
        expect(p50).toBeGreaterThan(0);
        expect(p99).toBeGreaterThanOrEqual(p50 as number);
        expect(mean).toBeGreaterThan(0);
      });
    }
  }

  it('durability/bytes-100-steps finds warden storing less than a fifth of what LangGraph stores', {
    timeout: 30_000,
  }, async () => {
    const warden = await sample('durability/bytes-100-steps', 'warden');
    const langgraph = await sample('durability/bytes-100-steps', 'langgraph');
    for (const s of [warden, langgraph]) {
      expect(s.bytes).toBeGreaterThan(0);
      expect(s.pages).toBeGreaterThanOrEqual(s.bytes as number);
      expect(s.file).toBeGreaterThanOrEqual(s.pages as number);
    }
    expect(warden.bytes as number).toBeLessThan((langgraph.bytes as number) / 5);
  });

  for (const contender of ['warden', 'langgraph'] as const) {
    it(`durability/resume-100-steps reopens the file and reads the head on ${contender}`, {
      timeout: 30_000,
    }, async () => {
      const { resume, read } = await sample('durability/resume-100-steps', contender);
      expect(resume).toBeGreaterThan(0);
      expect(read).toBeGreaterThan(0);
    });
  }
});

describe('the PostgreSQL case without a database', () => {
  const saved = process.env.WARDEN_PG_URL;
  afterEach(() => {
    if (saved === undefined) delete process.env.WARDEN_PG_URL;
    else process.env.WARDEN_PG_URL = saved;
  });

  it('is listed with no contender and says how to run it', () => {
    delete process.env.WARDEN_PG_URL;
    const c = casesById().get('durability/commit-postgres');
    expect(Object.keys(c?.run ?? { missing: true })).toEqual([]);
    expect(c?.params).toContain('scripts/with-postgres.sh npm run bench -- --only durability');
  });
});

describe('the checks reject a store that lost or changed a commit', () => {
  const threads = [conversation(1, 12), conversation(2, 12)];
  const plan = { steps: 12, firstTimed: 5 };

  it('fails a run whose LangGraph saver dropped one put', async () => {
    await expect(
      inTempDir((path) =>
        measureCommits(async () => dropping(await langgraphSqliteRig(path), 7), threads, plan),
      ),
    ).rejects.toThrow(/thread-0: head at step 11, expected 12/);
  });

  it('fails a run whose warden store reads back a message that differs', async () => {
    await expect(
      inTempDir((path) =>
        measureCommits(async () => tampering(await wardenSqliteRig(path)), threads, plan),
      ),
    ).rejects.toThrow(BenchCheckError);
  });

  it('passes the same runs untouched', async () => {
    await inTempDir((path) => measureCommits(() => langgraphSqliteRig(path), threads, plan));
    await inTempDir((path) => measureCommits(() => wardenSqliteRig(path), threads, plan));
  });
});

/** A rig whose commit number `lost` (of every thread) never reaches the store. */
function dropping(rig: DurableRig, lost: number): DurableRig {
  const steps = new Map<string, number>();
  return {
    ...rig,
    next(threadId) {
      const step = (steps.get(threadId) ?? 0) + 1;
      steps.set(threadId, step);
      const commit = rig.next(threadId);
      return step === lost ? async () => {} : commit;
    },
  };
}

/** A rig that reads back the head with one word of its third message changed. */
function tampering(rig: DurableRig): DurableRig {
  return {
    ...rig,
    async latest(threadId) {
      const head = await rig.latest(threadId);
      if (head === undefined) return head;
      const turns = head.turns.map((turn, i) =>
        i === 2 && turn.kind === 'result'
          ? { ...turn, output: { ...turn.output, note: 'x' } }
          : turn,
      );
      return { ...head, turns };
    },
  };
}
