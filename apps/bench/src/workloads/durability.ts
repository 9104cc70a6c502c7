import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { benchSchema, postgresSettings } from '../contenders/database-drivers.js';
import {
  graphMessage,
  langgraphPostgresRig,
  langgraphSqliteRig,
} from '../contenders/durable-langgraph-rig.js';
import type { DurableRig } from '../contenders/durable-rig.js';
import {
  wardenMessage,
  wardenPostgresRig,
  wardenSqliteRig,
} from '../contenders/durable-warden-rig.js';
import type { Case, Metric, Workload } from '../workload.js';
import { scaled } from '../workload.js';
import { conversation, type Turn } from './durability-conversation.js';
import {
  type CommitPlan,
  inTempDir,
  measureBytes,
  measureCommits,
  measureResume,
} from './durability-measure.js';

/**
 * Durable checkpoints, warden's stores against LangGraph's savers, side by side in one run, on
 * one conversation (`durability-conversation.ts`: a task, then tool calls and results, one
 * message per step):
 *
 * - `durability/commit-sqlite`: the latency of a checkpoint commit at a state of about 20 KB,
 *   on a SQLite file, each at its default: warden's store (WAL; a step's commit at
 *   synchronous=NORMAL, synced by the next write that something outside the process acts on, a
 *   call with an effect, an approval, the run's end) and LangGraph's `SqliteSaver` (WAL, and
 *   synchronous at better-sqlite3's WAL default, NORMAL: no commit waits for the disk).
 * - `durability/commit-sqlite-full`: every commit synced on both sides, for a comparison at the
 *   same durability: warden's store with `sync: 'writes'`, LangGraph's connection at
 *   synchronous=FULL.
 * - `durability/commit-postgres`: the same on PostgreSQL (`WARDEN_PG_URL`; skipped without it).
 * - `durability/bytes-100-steps`: the bytes a 100-step thread occupies in the SQLite file.
 * - `durability/resume-100-steps`: opening the SQLite file and reading a 100-step thread's head.
 *
 * A commit's state grows a message per step, so every checkpoint holds the whole conversation so
 * far: warden writes the message added (its delta), LangGraph the whole message list again.
 */
export const durability: Workload = {
  name: 'durability',
  title: 'Durability: checkpoint commits, bytes stored and resume, warden vs LangGraph savers',
  cases(scale: number): Case[] {
    const threads = Array.from({ length: scaled(40, scale, 2) }, (_, i) =>
      conversation(i + 1, COMMITS.steps),
    );
    const long = conversation(1, LONG_STEPS);
    const resumed = Array.from({ length: scaled(20, scale, 2) }, (_, i) =>
      conversation(101 + i, LONG_STEPS),
    );
    const onFile = (open: (path: string) => Promise<DurableRig>) => () =>
      inTempDir((path) => measureCommits(() => open(path), threads, COMMITS));
    const where = `SQLite file in ${tmpdir()} (${filesystemOf(tmpdir())})`;
    const commitParams = `${threads.length} threads of ${COMMITS.steps} steps, a commit of one more message each, one thread after the other; timed: commits ${COMMITS.firstTimed} to ${COMMITS.steps} of each (${stateRange(threads)}); ${where}`;
    return [
      {
        id: 'durability/commit-sqlite',
        params: `${commitParams}; each saver at its default: warden ${WARDEN_SQLITE}, LangGraph ${LANGGRAPH_SQLITE}`,
        metrics: COMMIT_METRICS,
        baseline: 'langgraph',
        run: {
          warden: onFile(wardenSqliteRig),
          langgraph: onFile((path) => langgraphSqliteRig(path)),
        },
      },
      {
        id: 'durability/commit-sqlite-full',
        params: `${commitParams}; every commit synced: warden openSqliteStore with sync: 'writes' (synchronous=FULL), LangGraph's connection set to journal_mode=WAL, synchronous=FULL`,
        metrics: COMMIT_METRICS,
        baseline: 'langgraph',
        run: {
          warden: onFile((path) => wardenSqliteRig(path, 'writes')),
          langgraph: onFile((path) => langgraphSqliteRig(path, 'FULL')),
        },
      },
      postgresCase(threads),
      {
        id: 'durability/bytes-100-steps',
        params: `one thread of ${LONG_STEPS} steps (${stateAt(long, LONG_STEPS)} at the last) on a SQLite file of its own, then VACUUM; rows: dbstat payload of the checkpoint tables and their indexes (warden: threads, checkpoints, messages; LangGraph: checkpoints, writes)`,
        metrics: BYTES_METRICS,
        baseline: 'langgraph',
        runs: 3,
        run: {
          warden: () => measureBytes(wardenSqliteRig, long, ['threads', 'checkpoints', 'messages']),
          langgraph: () =>
            measureBytes((path) => langgraphSqliteRig(path), long, ['checkpoints', 'writes']),
        },
      },
      {
        id: 'durability/resume-100-steps',
        params: `${resumed.length} threads of ${LONG_STEPS} steps written to a SQLite file and closed; per thread: open the file and read the head (warden: openSqliteStore, checkpoints.latest; LangGraph: SqliteSaver.fromConnString, getTuple), then read it again; ${where}`,
        metrics: RESUME_METRICS,
        baseline: 'langgraph',
        run: {
          warden: () => measureResume(wardenSqliteRig, resumed),
          langgraph: () => measureResume((path) => langgraphSqliteRig(path), resumed),
        },
      },
    ];
  },
};

/** Commits 37 to 44 of each thread: a state of about 18 to 22 KB, around 20 KB. */
const COMMITS: CommitPlan = { steps: 44, firstTimed: 37 };
const LONG_STEPS = 100;

const WARDEN_SQLITE =
  "journal_mode=WAL, sync: 'outputs' (openSqliteStore's default: a step's commit at synchronous=NORMAL, synced by the next write something outside acts on)";
const LANGGRAPH_SQLITE =
  'journal_mode=WAL (set by its setup), synchronous=NORMAL (not set: better-sqlite3 12 is built with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1; checked on the connection after each run)';

const COMMIT_METRICS: readonly Metric[] = [
  { key: 'p50', unit: 'µs', label: 'commit p50' },
  { key: 'p99', unit: 'µs', label: 'commit p99' },
  { key: 'mean', unit: 'µs', label: 'commit mean' },
];

const BYTES_METRICS: readonly Metric[] = [
  { key: 'bytes', unit: 'B/actor', label: 'rows of the thread' },
  { key: 'pages', unit: 'B/actor', label: 'pages of its tables' },
  { key: 'file', unit: 'B/actor', label: 'file after VACUUM' },
];

const RESUME_METRICS: readonly Metric[] = [
  { key: 'resume', unit: 'µs', label: 'open + read head p50' },
  { key: 'read', unit: 'µs', label: 'read head again p50' },
];

export const POSTGRES_HOW_TO =
  'needs WARDEN_PG_URL: run `npm run bench:durability` or `scripts/with-postgres.sh npm run bench -- --only durability` (either starts a throw-away PostgreSQL on 127.0.0.1 and stops it after), or set it to a database of yours';

/**
 * The PostgreSQL case, or without `WARDEN_PG_URL` the same id with no contender and the reason
 * as its parameters: the suite prints it and runs nothing.
 */
function postgresCase(threads: readonly (readonly Turn[])[]): Case {
  const id = 'durability/commit-postgres';
  const url = process.env.WARDEN_PG_URL;
  if (url === undefined || url === '') {
    return { id, params: `SKIPPED: ${POSTGRES_HOW_TO}`, metrics: COMMIT_METRICS, run: {} };
  }
  const inSchema = (open: (url: string, schema: string) => Promise<DurableRig>, tag: string) => {
    return async () => {
      await announcePostgres(url);
      return measureCommits(() => open(url, benchSchema(tag)), threads, COMMITS);
    };
  };
  return {
    id,
    params: `${threads.length} threads of ${COMMITS.steps} steps, timed: commits ${COMMITS.firstTimed} to ${COMMITS.steps} (${stateRange(threads)}); PostgreSQL at ${new URL(url).host} (WARDEN_PG_URL), a fresh schema per run; warden: openPostgresStore (one statement per commit); LangGraph: PostgresSaver.fromConnString, setup(); the server's fsync and synchronous_commit are printed by the run`,
    metrics: COMMIT_METRICS,
    baseline: 'langgraph',
    run: {
      warden: inSchema(wardenPostgresRig, 'w'),
      langgraph: inSchema(langgraphPostgresRig, 'lg'),
    },
  };
}

let announced: Promise<void> | undefined;

/** Prints the server's durability settings once per process: they decide what a commit costs. */
function announcePostgres(url: string): Promise<void> {
  announced ??= postgresSettings(url).then((settings) =>
    console.error(`durability/commit-postgres: ${settings}`),
  );
  return announced;
}

/** The state's size at commit `step`: warden's JSON of the messages, and LangGraph's. */
function sizesAt(turns: readonly Turn[], step: number): readonly [number, number] {
  const first = turns.slice(0, step);
  return [
    Buffer.byteLength(JSON.stringify(first.map(wardenMessage))),
    Buffer.byteLength(JSON.stringify(first.map(graphMessage))),
  ];
}

function kb(bytes: number): string {
  return (bytes / 1024).toFixed(1);
}

function stateAt(turns: readonly Turn[], step: number): string {
  const [warden, graph] = sizesAt(turns, step);
  return `${kb(warden)} KB of messages as warden's JSON, ${kb(graph)} KB as LangChain's`;
}

function stateRange(threads: readonly (readonly Turn[])[]): string {
  const low = threads.map((t) => sizesAt(t, COMMITS.firstTimed));
  const high = threads.map((t) => sizesAt(t, COMMITS.steps));
  const min = (i: 0 | 1) => Math.min(...low.map((s) => s[i]));
  const max = (i: 0 | 1) => Math.max(...high.map((s) => s[i]));
  return `state ${kb(min(0))} to ${kb(max(0))} KB of messages as warden's JSON, ${kb(min(1))} to ${kb(max(1))} KB as LangChain's`;
}

/** The type of the file system holding `path` (Linux: the longest mount point above it). */
function filesystemOf(path: string): string {
  try {
    let best = { mount: '', type: 'unknown' };
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [, mount, type] = line.split(' ');
      if (mount === undefined || type === undefined) continue;
      const under = path === mount || path.startsWith(mount === '/' ? '/' : `${mount}/`);
      if (under && mount.length > best.mount.length) best = { mount, type };
    }
    return best.type;
  } catch {
    return 'file system unknown';
  }
}
