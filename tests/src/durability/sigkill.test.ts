/**
 * Real deaths: a child process runs an agent thread over a SQLite file (and over PostgreSQL) and
 * is SIGKILLed at a random moment of its run, at least 50 times per store; a new child resumes the
 * thread each time. After every kill the store reads back whole (no torn checkpoint, the audit
 * chain verifies); at the end every thread is done, no refund reached the payment system twice,
 * and every refund that did carries an approval the operator gave for that exact call.
 *
 * The moment of each kill is a random time after the child's agent starts, in the span its work
 * takes, so the signal lands anywhere in it: between store operations, inside a transaction,
 * while a refund waits for the payment system's answer (its journal entry left `executing`).
 * Replaying: the seed is printed on failure; run with KILL_SEED=<seed> (the moments replay; the
 * machine's speed decides what each moment hits).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type AgentStore, verifyAuditChain } from '@warden/agents';
import { seededRandom } from '@warden/agents/testing';
import { openPostgresStore } from '@warden/store-postgres';
import { openSqliteStore } from '@warden/store-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from './durable-tools.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const TESTS_DIR = resolve(HERE, '../..');
const CHILD = join(TESTS_DIR, 'dist-durability-child/child/sigkill-child.js');
const KILLS = 50;
/** A child's agent works for about 100 to 300 ms on this machine; kills land within that span. */
const KILL_SPAN_MS = 200;
/** Real-time guards (never measurements): a child that neither reports nor ends is a failure. */
const CHILD_GUARD_MS = 30_000;

const SEED = Number(process.env.KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** Five steps with two refunds and replies around them. */
const PLAN: Plan = [
  [
    { tool: 'read_ticket', id: 1 },
    { tool: 'refund', id: 2 },
  ],
  [{ tool: 'send_mail', id: 3 }],
  [
    { tool: 'refund', id: 4 },
    { tool: 'send_mail', id: 5 },
  ],
  [{ tool: 'read_ticket', id: 6 }],
  [{ tool: 'send_mail', id: 7 }],
];

interface StoreUnderTest {
  readonly kind: 'sqlite' | 'postgres';
  readonly location: string;
  readonly schema?: string;
  open(): Promise<AgentStore>;
}

interface ChildRun {
  readonly killed: boolean;
  /** Whether it reported its task done (a kill may land just after). */
  readonly done: boolean;
}

function runChild(
  target: StoreUnderTest,
  dir: string,
  threadId: string,
  killAfterMs: number | undefined,
): Promise<ChildRun> {
  const config = {
    store: target.kind,
    location: target.location,
    ...(target.schema === undefined ? {} : { schema: target.schema }),
    dir,
    threadId,
    plan: PLAN,
    ...(killAfterMs === undefined ? {} : { killAfterMs }),
  };
  const child: ChildProcess = spawn(process.execPath, [CHILD], {
    cwd: TESTS_DIR,
    env: { ...process.env, WARDEN_CHILD: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let done = false;
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    if (line.startsWith('done ')) done = JSON.parse(line.slice(5)).outcome === 'done';
  });
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child for ${threadId} did not end within ${CHILD_GUARD_MS} ms\n${stderr}`));
    }, CHILD_GUARD_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(guard);
      if (signal === 'SIGKILL' && killAfterMs !== undefined) resolve({ killed: true, done });
      else if (code === 0 && done) resolve({ killed: false, done: true });
      else reject(new Error(`child for ${threadId} ended with ${code ?? signal}\n${stderr}`));
    });
  });
}

/** Reads everything a resume reads, whole; throws on a torn or corrupted record. */
async function checkReadable(target: StoreUnderTest, threadId: string): Promise<void> {
  const store = await target.open();
  try {
    await store.checkpoints.latest(threadId);
    await store.journal.list(threadId);
    expect(verifyAuditChain(await store.audit.entries())).toMatchObject({ ok: true });
  } finally {
    await store.close();
  }
}

function lines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

async function killRepeatedly(target: StoreUnderTest, dir: string, kills: number): Promise<void> {
  // Seeded, so a failing schedule of kills replays.
  const next = seededRandom(SEED);
  const run = `r${SEED}`;
  const threads: string[] = [`${run}-t0`];
  let killsDone = 0;
  for (let attempt = 0; killsDone < kills && attempt < kills * 3; attempt++) {
    const threadId = threads.at(-1) as string;
    const outcome = await runChild(target, dir, threadId, Math.floor(next() * KILL_SPAN_MS));
    if (outcome.killed) {
      killsDone++;
      await checkReadable(target, threadId);
    }
    if (outcome.done) threads.push(`${run}-t${threads.length}`);
  }
  expect(killsDone, `kills (seed ${SEED})`).toBe(kills);
  // The thread the last kill interrupted runs to its end.
  const last = await runChild(target, dir, threads.at(-1) as string, undefined);
  expect(last.done).toBe(true);

  const refunds = lines(join(dir, 'effects.log'))
    .filter((l) => l.startsWith('refund '))
    .map((l) => l.slice(7));
  const approvedHashes = new Set(
    lines(join(dir, 'operator.log'))
      .filter((l) => l.startsWith('approve '))
      .map((l) => l.slice(8)),
  );
  const store = await target.open();
  try {
    const entries = (await Promise.all(threads.map((t) => store.journal.list(t)))).flat();
    for (const threadId of threads) {
      const head = await store.checkpoints.latest(threadId);
      expect(head?.result?.outcome, `${threadId} (seed ${SEED})`).toBe('done');
    }
    expect(entries.filter((e) => e.state === 'executing')).toEqual([]);
    expect(new Set(refunds).size, `a refund ran twice (seed ${SEED})`).toBe(refunds.length);
    for (const key of refunds) {
      const entry = entries.find((e) => e.key === key);
      expect(entry?.approval, `refund ${key} without approval (seed ${SEED})`).toBeDefined();
      const approval = await store.approvals.get(entry?.approval as string);
      expect(approval).toMatchObject({ approver: 'ann', argsHash: entry?.argsHash });
      expect(approvedHashes.has(entry?.argsHash as string)).toBe(true);
    }
    expect(refunds.length).toBeGreaterThan(0);
    expect(verifyAuditChain(await store.audit.entries())).toMatchObject({ ok: true });
  } finally {
    await store.close();
  }
}

function buildChild(): Promise<void> {
  // The workspace's TypeScript, by the bin its package declares; incremental, so quick when built.
  const manifest = createRequire(import.meta.url).resolve('typescript/package.json');
  const tsc = join(dirname(manifest), 'bin', 'tsc');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [tsc, '-b', join(HERE, 'child'), '--noCheck'],
      { timeout: 120_000 },
      (error, stdout) =>
        error === null ? resolve() : reject(new Error(`building the child failed:\n${stdout}`)),
    );
  });
}

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warden-sigkill-'));
  dirs.push(dir);
  return dir;
}

beforeAll(buildChild, 120_000);
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('SIGKILL in the middle of a run', () => {
  it('on a SQLite file: resumes after each of 50 kills with nothing torn and no effect twice', async () => {
    const dir = freshDir();
    const path = join(dir, 'agents.db');
    await killRepeatedly(
      { kind: 'sqlite', location: path, open: () => openSqliteStore({ path }) },
      dir,
      KILLS,
    );
  }, 300_000);

  it('on PostgreSQL: resumes after each of 50 kills with nothing torn and no effect twice', async () => {
    const url = process.env.WARDEN_PG_URL;
    if (url === undefined || url === '') {
      throw new Error(
        'WARDEN_PG_URL is not set: run the tests through scripts/with-postgres.sh (npm test does)',
      );
    }
    const schema = 'warden_sigkill';
    await killRepeatedly(
      {
        kind: 'postgres',
        location: url,
        schema,
        open: () => openPostgresStore({ connectionString: url, schema }),
      },
      freshDir(),
      KILLS,
    );
  }, 300_000);
});
