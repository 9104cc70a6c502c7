import { execFileSync } from 'node:child_process';
import os from 'node:os';

/**
 * CPU pinning with Linux's `taskset`, for the two-process cases: left to the scheduler, the two
 * processes of a run share one core in some runs and sit on two in others, and a loopback round
 * trip takes twice as long in the second case (waking a process on another core of this VM
 * costs tens of µs). Pinning makes every run the same.
 */
let available: boolean | undefined;

/** True on Linux with `taskset` and at least two CPUs this process may use. */
export function canPin(): boolean {
  if (available !== undefined) return available;
  available = false;
  if (process.platform !== 'linux' || os.availableParallelism() < 2) return available;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    available = true;
  } catch {
    // no taskset
  }
  return available;
}

/**
 * Pins this process's main thread (the one running JavaScript) to `cpu`; returns the function
 * that gives it back its former CPUs. Does nothing when pinning is not available.
 */
export function pinSelf(cpu: number): () => void {
  if (!canPin()) return () => {};
  const pid = String(process.pid);
  const before = execFileSync('taskset', ['-p', pid], { encoding: 'utf8' });
  const mask = /:\s*([0-9a-f,]+)\s*$/i.exec(before.trim())?.[1];
  execFileSync('taskset', ['-p', '-c', String(cpu), pid], { stdio: 'ignore' });
  return () => {
    if (mask !== undefined) execFileSync('taskset', ['-p', mask, pid], { stdio: 'ignore' });
  };
}

/** The command that runs `argv` pinned to `cpu` (or as it is, when pinning is not available). */
export function pinnedCommand(cpu: number | undefined, argv: readonly string[]): string[] {
  return cpu === undefined || !canPin() ? [...argv] : ['taskset', '-c', String(cpu), ...argv];
}
