// The cluster demo, run for real, on each store it can share: a SQLite file (the default) and a
// PostgreSQL schema (WARDEN_PG_URL; like the PostgreSQL store's own tests, that test never
// skips: without the variable it fails and says how to get a database). Each test builds
// apps/demo with the workspace's TypeScript (incremental, emit only: `--noCheck`, as type errors
// are `tsc -b`'s to report, not these tests'), so it runs the same JavaScript that
// `npm run demo:cluster` runs; starts the demo's driver as a process, which starts three node
// processes on 127.0.0.1 and SIGKILLs one of them midway; checks the invariants the driver prints
// as its last line (--json); then checks that no node process and no temporary file is left.
// Every wait is bounded; nothing asserts how long anything took.
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DEMO = join(dirname(fileURLToPath(import.meta.url)), '..');
const DRIVER = join(DEMO, 'dist', 'cluster', 'main.js');
/** A guard against a hang, far above a run's length: never a measurement. */
const GUARD_MS = 50_000;
/** The test's own bound: the build, the run, and the guard's margin. */
const CLUSTER_TEST_MS = 60_000;

/** The driver's `--json` line. */
interface ClusterSummary {
  readonly ok: boolean;
  readonly store: string;
  readonly tempDir: string;
  readonly nodes: readonly { name: string; pid: number; exited: boolean; exit: string }[];
  readonly kill: { node: string; workers: { ticket: number; step: number }[] } | undefined;
  readonly restarts: readonly { ticket: number; from?: string; to?: string; resumedAt?: number }[];
  readonly journal: Readonly<Record<string, number>> | undefined;
  readonly effects: number;
  readonly invariants: readonly { name: string; holds: boolean; detail: string }[];
}

/** Builds the demo, runs its driver with `env` and `seed`, and parses its summary line. */
async function runClusterDemo(
  env: NodeJS.ProcessEnv,
  seed: number,
): Promise<{ code: number | null; stdout: string; summary: ClusterSummary }> {
  await build();
  const { code, stdout, stderr } = await run([DRIVER, '--json', '--seed', String(seed)], env);
  const last = stdout.trim().split('\n').at(-1) ?? '';
  expect(last.startsWith('{'), `no JSON summary line:\n${stdout}\n${stderr}`).toBe(true);
  return { code, stdout, summary: JSON.parse(last) as ClusterSummary };
}

/** What every cluster run must show, whichever store it shares. */
function expectClusterInvariants(run: {
  code: number | null;
  stdout: string;
  summary: ClusterSummary;
}): void {
  const { summary, stdout } = run;
  for (const inv of summary.invariants)
    expect(inv.holds, `${inv.name}: ${inv.detail}\n${stdout}`).toBe(true);
  expect(summary.ok).toBe(true);
  expect(run.code).toBe(0);

  // A worker node running two or more workers was SIGKILLed; each of them moved and resumed.
  const killed = summary.kill?.node;
  expect(['bravo', 'charlie']).toContain(killed);
  const moved = summary.restarts.filter((r) => r.from === killed);
  expect(moved.length).toBeGreaterThanOrEqual(2);
  for (const r of moved) {
    expect(r.to).toBeDefined();
    expect(r.to).not.toBe(killed);
    expect(r.resumedAt).toBeGreaterThanOrEqual(1);
  }
  // Read back from the shared store: one journal entry per call, every ticket read once and
  // resolved by one write, however many workers worked on it.
  expect(summary.journal?.read_ticket).toBe(20);
  const written =
    (summary.journal?.send_reply ?? 0) +
    (summary.journal?.escalate_refund ?? 0) +
    (summary.journal?.close_duplicate ?? 0);
  expect(written).toBe(20);
  expect(summary.effects).toBe(20);

  // Nothing is left behind: the killed node is gone by SIGKILL, the others exited, and their
  // processes and the run's temporary folder no longer exist.
  expect(summary.nodes.map((n) => n.name)).toEqual(['alpha', 'bravo', 'charlie']);
  for (const n of summary.nodes) {
    expect(n.exited, `${n.name} still running`).toBe(true);
    expect(running(n.pid), `${n.name} (pid ${n.pid}) left running`).toBe(false);
    expect(n.exit).toBe(n.name === killed ? 'SIGKILL' : 'exit 0');
  }
  expect(existsSync(summary.tempDir)).toBe(false);
}

/** The environment without what would change the demo: a real model, or another store. */
function demoEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...overrides };
  for (const key of ['WARDEN_MODEL_URL', 'WARDEN_MODEL_KEY', 'WARDEN_MODEL']) delete env[key];
  if (overrides.WARDEN_PG_URL === undefined) delete env.WARDEN_PG_URL;
  return env;
}

/**
 * Runs the demo's driver to its end: until its output closes, which, since the node processes
 * write to the same output, is when the driver and every node process have exited. `onLine`
 * sees each line as it comes. Rejects past the guard (the driver is killed then).
 */
function run(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  onLine: (line: string, driver: ChildProcess) => void = () => undefined,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const driver = spawn(process.execPath, args, {
      cwd: DEMO,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    driver.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line, driver);
    });
    driver.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      driver.kill('SIGKILL');
      reject(new Error(`not within ${GUARD_MS} ms: ${args.join(' ')}\n${stdout}\n${stderr}`));
    }, GUARD_MS);
    driver.once('error', reject);
    driver.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function build(): Promise<void> {
  // The dashboard's page is built by its package build (npm test runs it first); a clone that
  // has not run it gets it built here, as the package build does it.
  const dashboard = join(DEMO, '..', '..', 'packages', 'dashboard');
  if (!existsSync(join(dashboard, 'dist', 'ui', 'index.html'))) {
    execFileSync(
      join(dashboard, 'node_modules', '.bin', 'vite'),
      ['build', '--config', 'ui/vite.config.ts'],
      { cwd: dashboard, stdio: 'ignore', timeout: 60_000 },
    );
  }
  // The workspace's TypeScript (a root dev dependency), by the bin its package declares.
  const manifest = createRequire(import.meta.url).resolve('typescript/package.json');
  const tsc = join(dirname(manifest), 'bin', 'tsc');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [tsc, '-b', DEMO, '--noCheck'],
      { timeout: 120_000 },
      (error, stdout) =>
        error === null ? resolve() : reject(new Error(`tsc -b apps/demo failed:\n${stdout}`)),
    );
  });
}

/**
 * Runs the demo and sends its driver `signal` mid-triage, with workers on both worker nodes;
 * resolves once the driver and every node process have ended (the run's output has closed), with
 * the nodes' pids and the run's temporary folder, as the driver printed them.
 */
async function interrupt(signal: NodeJS.Signals) {
  await build();
  const pids: number[] = [];
  let folder: string | undefined;
  const ended = await run([DRIVER, '--seed', '7'], demoEnv({}), (line, driver) => {
    folder ??= /shared store: .*\((.+)\/warden\.db\)/.exec(line)?.[1];
    const up = / is up \(pid (\d+),/.exec(line);
    if (up !== null) pids.push(Number(up[1]));
    if (/worker started on charlie/.test(line)) driver.kill(signal);
  });
  expect(pids, ended.stdout).toHaveLength(3);
  expect(folder, ended.stdout).toBeDefined();
  return { ...ended, pids, folder: folder as string };
}

/** The kernel's flag of a task that has begun to exit (`PF_EXITING`, in /proc/<pid>/stat). */
const PF_EXITING = 0x4;

/**
 * Whether a process still runs: not gone, not a zombie (exited, waiting for its new parent to
 * reap it, as a node orphaned by the driver's SIGKILL may, briefly), and not in the middle of
 * exiting (it closes its output there, just before it becomes a zombie).
 */
function running(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && existsSync('/proc/self/stat'))
      return false;
    // No /proc (not Linux): ask the kernel whether the pid exists.
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code !== 'ESRCH';
    }
  }
  // After the command's closing parenthesis: state, ppid, pgrp, session, tty, tpgid, flags, ...
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const flags = Number(fields[6]);
  return state !== 'Z' && state !== 'X' && (flags & PF_EXITING) === 0;
}

describe('the cluster demo', () => {
  it(
    'moves the killed node’s workers to a surviving node, where they resume, and nothing runs twice (SQLite)',
    async () => {
      const run = await runClusterDemo(demoEnv({}), 7);
      expect(run.summary.store).toMatch(/SQLite/);
      expectClusterInvariants(run);
    },
    CLUSTER_TEST_MS,
  );

  it(
    'does the same with every node on one PostgreSQL schema',
    async () => {
      const url = process.env.WARDEN_PG_URL;
      if (url === undefined || url === '')
        throw new Error(
          'WARDEN_PG_URL is not set: run this test with scripts/with-postgres.sh (it starts a ' +
            'throw-away PostgreSQL and stops it after), or set WARDEN_PG_URL to a database of yours.',
        );
      const run = await runClusterDemo(demoEnv({ WARDEN_PG_URL: url }), 11);
      expect(run.summary.store).toMatch(/PostgreSQL/);
      expectClusterInvariants(run);
    },
    CLUSTER_TEST_MS,
  );

  it(
    'leaves no node process behind when the demo itself is SIGKILLed midway',
    async () => {
      const { code, signal, pids, folder, stdout } = await interrupt('SIGKILL');
      expect(signal, stdout).toBe('SIGKILL');
      expect(code).toBe(null);
      // The run's output closed: every node process, which shares it, has exited too.
      for (const pid of pids) expect(running(pid), `pid ${pid} left running`).toBe(false);
      // Only the temporary folder stays: nothing was left to remove it.
      expect(existsSync(folder)).toBe(true);
      rmSync(folder, { recursive: true, force: true });
    },
    CLUSTER_TEST_MS,
  );

  it(
    'serves one dashboard of the three nodes, the killed one shown unreachable, until Ctrl-C',
    async () => {
      await build();
      let snapshot: Promise<unknown> | undefined;
      const ended = await run(
        [DRIVER, '--seed', '7', '--dashboard', '--json'],
        demoEnv({}),
        (line, driver) => {
          const url = /dashboard stays at (\S+) until Ctrl-C/.exec(line)?.[1];
          if (url === undefined) return;
          const { origin, searchParams } = new URL(url);
          snapshot = fetch(`${origin}/api/snapshot`, {
            headers: { authorization: `Bearer ${searchParams.get('token')}` },
            signal: AbortSignal.timeout(10_000),
          })
            .then((r) => r.json())
            .finally(() => driver.kill('SIGINT'));
        },
      );
      expect(snapshot, ended.stdout).toBeDefined();
      const view = (await snapshot) as {
        nodes: { name: string; reachable: boolean; processes: { node: string }[] }[];
      };
      const summary = JSON.parse(
        ended.stdout.trim().split('\n').at(-1) as string,
      ) as ClusterSummary;
      expect(summary.ok, ended.stdout).toBe(true);
      const killed = summary.kill?.node;
      expect(view.nodes.map((n) => n.name).sort()).toEqual(['alpha', 'bravo', 'charlie']);
      for (const n of view.nodes) expect(n.reachable, n.name).toBe(n.name !== killed);
      // The workers' supervisor on alpha has children on the other nodes.
      const alpha = view.nodes.find((n) => n.name === 'alpha');
      expect(alpha?.processes.some((p) => p.node !== 'alpha')).toBe(true);
    },
    CLUSTER_TEST_MS,
  );

  it(
    'kills its node processes and removes its folder when interrupted (Ctrl-C)',
    async () => {
      const { code, pids, folder, stdout } = await interrupt('SIGINT');
      expect(code, stdout).toBe(130);
      for (const pid of pids) expect(running(pid), `pid ${pid} left running`).toBe(false);
      expect(existsSync(folder)).toBe(false);
    },
    CLUSTER_TEST_MS,
  );
});
