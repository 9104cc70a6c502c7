// The cluster demo, run for real: the test builds apps/demo with the workspace's TypeScript
// (incremental, emit only: `--noCheck`, as type errors are `tsc -b`'s to report, not this test's),
// so it runs the same JavaScript `npm run demo:cluster` runs. It starts the demo's driver as a
// process, which starts three node processes on 127.0.0.1 and SIGKILLs one of them midway, and
// checks the invariants the driver prints as its last line (--json), then that no node process
// and no temporary file is left. Every wait is bounded; nothing asserts how long anything took.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DEMO = join(dirname(fileURLToPath(import.meta.url)), '..');
const DRIVER = join(DEMO, 'dist', 'cluster', 'main.js');
/** A guard against a hang, far above a run's length: never a measurement. */
const GUARD_MS = 50_000;

interface Summary {
  readonly ok: boolean;
  readonly tempDir: string;
  readonly nodes: readonly { name: string; pid: number; exited: boolean; exit: string }[];
  readonly kill: { node: string; workers: { ticket: number; step: number }[] } | undefined;
  readonly restarts: readonly { ticket: number; from: string; to?: string; resumedAt?: number }[];
  readonly journal: Readonly<Record<string, number>> | undefined;
  readonly effects: number;
  readonly invariants: readonly { name: string; holds: boolean; detail: string }[];
}

/** Runs a command to its end, rejecting past `ms` (it is killed then). */
function run(
  file: string,
  args: readonly string[],
  ms: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: DEMO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`not within ${ms} ms: ${args.join(' ')}\n${stdout}\n${stderr}`));
    }, ms);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function build(): Promise<void> {
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

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

describe('the cluster demo', () => {
  it('moves the killed node’s workers to a surviving node, where they resume, and nothing runs twice', async () => {
    await build();
    const { code, stdout, stderr } = await run(
      process.execPath,
      [DRIVER, '--json', '--seed', '7'],
      GUARD_MS,
    );
    const last = stdout.trim().split('\n').at(-1) ?? '';
    expect(last.startsWith('{'), `no JSON summary line:\n${stdout}\n${stderr}`).toBe(true);
    const summary = JSON.parse(last) as Summary;
    for (const inv of summary.invariants)
      expect(inv.holds, `${inv.name}: ${inv.detail}\n${stdout}`).toBe(true);
    expect(summary.ok).toBe(true);
    expect(code).toBe(0);

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
    // Read back from the shared store: one journal entry per call, every ticket read once.
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
  }, 60_000);
});
