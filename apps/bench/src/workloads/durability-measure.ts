import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteFile } from '../contenders/database-drivers.js';
import { checkThread, type DurableRig, expectHead } from '../contenders/durable-rig.js';
import { percentile } from '../stats.js';
import type { Sample } from '../workload.js';
import type { Turn } from './durability-conversation.js';

export type OpenRig = () => Promise<DurableRig>;
export type OpenRigAt = (path: string) => Promise<DurableRig>;

/**
 * Which commits a commit sample times: every thread steps from 1 to `steps` (a commit per step,
 * one message more each), one thread after the other, and the commits `firstTimed` to `steps`
 * are timed, each on its own (the store call alone, from its start to its promise resolving).
 */
export interface CommitPlan {
  readonly steps: number;
  readonly firstTimed: number;
}

/**
 * p50, p99 and mean in µs of the timed commits of one run over `conversations` (a thread each),
 * on a rig opened for this run; then every thread is read back and checked (`checkThread`).
 */
export async function measureCommits(
  open: OpenRig,
  conversations: readonly (readonly Turn[])[],
  plan: CommitPlan,
): Promise<Sample> {
  const rig = await open();
  const us: number[] = [];
  await closing(rig, async () => {
    for (const [i, turns] of conversations.entries()) {
      const threadId = `thread-${i}`;
      rig.begin(threadId, turns);
      for (let step = 1; step <= plan.steps; step++) {
        const commit = rig.next(threadId);
        if (step < plan.firstTimed) {
          await commit();
          continue;
        }
        const start = performance.now();
        await commit();
        us.push((performance.now() - start) * 1000);
      }
    }
    for (const [i, turns] of conversations.entries()) {
      await checkThread(rig, `thread-${i}`, turns, plan.steps);
    }
  });
  us.sort((a, b) => a - b);
  return {
    p50: percentile(us, 50),
    p99: percentile(us, 99),
    mean: us.reduce((sum, x) => sum + x, 0) / us.length,
  };
}

/**
 * The bytes one thread of `turns.length` steps occupies in a SQLite file of its own, measured
 * the same way for every contender once its connection is closed: the file is compacted
 * (`VACUUM`), then SQLite's `dbstat` gives the payload (the rows and index entries as SQLite
 * encodes them) and the pages of `tables` and their indexes; `file` is the whole file's size
 * (empty tables of other features included).
 */
export async function measureBytes(
  openAt: OpenRigAt,
  turns: readonly Turn[],
  tables: readonly string[],
): Promise<Sample> {
  return inTempDir(async (path) => {
    const rig = await openAt(path);
    await closing(rig, async () => {
      rig.begin('thread', turns);
      for (let step = 1; step <= turns.length; step++) await rig.next('thread')();
      await checkThread(rig, 'thread', turns, turns.length);
    });
    const db = openSqliteFile(path);
    let payload = 0;
    let pages = 0;
    try {
      db.exec('VACUUM');
      const rows = db
        .prepare(
          'SELECT name, sum(payload) AS payload, sum(pgsize) AS pages FROM dbstat GROUP BY name',
        )
        .all() as { name: string; payload: number; pages: number }[];
      for (const row of rows) {
        if (tables.some((t) => row.name === t || row.name.startsWith(`sqlite_autoindex_${t}_`))) {
          payload += row.payload;
          pages += row.pages;
        }
      }
    } finally {
      db.close();
    }
    return { bytes: payload, pages, file: (await stat(path)).size };
  });
}

/**
 * The time to resume each of `conversations` (threads of `turns.length` steps, written first,
 * untimed, and the store closed): open the store on the file and read the thread's head, as a
 * new process does (`resume`, `getTuple`); then the head is read once more on the open store.
 * p50 in µs of each, and every head read back is checked.
 */
export async function measureResume(
  openAt: OpenRigAt,
  conversations: readonly (readonly Turn[])[],
): Promise<Sample> {
  return inTempDir(async (path) => {
    const writer = await openAt(path);
    await closing(writer, async () => {
      for (const [i, turns] of conversations.entries()) {
        writer.begin(`thread-${i}`, turns);
        for (let step = 1; step <= turns.length; step++) await writer.next(`thread-${i}`)();
      }
    });
    const resume: number[] = [];
    const read: number[] = [];
    for (const [i, turns] of conversations.entries()) {
      const threadId = `thread-${i}`;
      const start = performance.now();
      const rig = await openAt(path);
      await closing(rig, async () => {
        const head = await rig.latest(threadId);
        const resumed = performance.now();
        const again = await rig.latest(threadId);
        const readAgain = performance.now();
        resume.push((resumed - start) * 1000);
        read.push((readAgain - resumed) * 1000);
        expectHead(threadId, head, turns, turns.length);
        expectHead(threadId, again, turns, turns.length);
      });
    }
    resume.sort((a, b) => a - b);
    read.sort((a, b) => a - b);
    return { resume: percentile(resume, 50), read: percentile(read, 50) };
  });
}

/** Runs `work`, then closes the rig; a failure of `work` wins over one of `close`. */
async function closing(rig: DurableRig, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    await rig.close().catch(() => {});
    throw error;
  }
  await rig.close();
}

/** Runs `work` on a SQLite file path in a fresh temporary folder, removed after. */
export async function inTempDir<T>(work: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-bench-'));
  try {
    return await work(join(dir, 'store.db'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
