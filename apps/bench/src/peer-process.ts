import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pinnedCommand } from './cpu-affinity.js';
import type { PeerOptions, PeerReady } from './ws-peer.js';

/** The compiled entry (`dist/ws-peer.js`), from both `src/` (tests) and `dist/` (the bench). */
const ENTRY = fileURLToPath(new URL('../dist/ws-peer.js', import.meta.url));

/** Every peer still running: killed when this process exits, whatever way it does. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Node B of the distribution workload: a child process running `dist/ws-peer.js`, started and
 * ready (listening) within `readyMs`, and ended by `stop()` (always call it, in a `finally`).
 */
export class PeerProcess {
  readonly ready: PeerReady;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;

  private constructor(child: ChildProcess, exited: Promise<void>, ready: PeerReady) {
    this.#child = child;
    this.#exited = exited;
    this.ready = ready;
  }

  /** `cpu`: pin the process to this CPU (see `cpu-affinity.ts`); default: wherever it runs. */
  static async start(
    mode: 'warden' | 'raw',
    options: PeerOptions,
    cpu?: number,
    readyMs = 15_000,
  ): Promise<PeerProcess> {
    if (!existsSync(ENTRY)) {
      throw new Error(`${ENTRY} is missing: build apps/bench first (npx tsc -b)`);
    }
    // e.g. BENCH_PEER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the peer too.
    const nodeArgs = (process.env.BENCH_PEER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
    const [command, ...args] = pinnedCommand(cpu, [
      process.execPath,
      ...nodeArgs,
      ENTRY,
      mode,
      JSON.stringify(options),
    ]) as [string, ...string[]];
    const child = spawn(command, args, {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    live.add(child);
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        live.delete(child);
        resolve();
      });
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const ready = await Promise.race([
        new Promise<PeerReady>((resolve) => child.once('message', (m) => resolve(m as PeerReady))),
        exited.then(() => {
          throw new Error(`peer ${mode} exited before it was ready`);
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`peer ${mode} not ready within ${readyMs} ms`)),
            readyMs,
          );
        }),
      ]);
      return new PeerProcess(child, exited, ready);
    } catch (error) {
      child.kill('SIGKILL');
      await exited;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The process's CPU time so far (user + system), in µs. */
  cpuMicros(timeoutMs = 5000): Promise<number> {
    const child = this.#child;
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.off('message', onMessage);
        reject(new Error(`peer did not report its CPU time within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (m: { type?: string; usage?: NodeJS.CpuUsage }) => {
        if (m.type !== 'cpu' || m.usage === undefined) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(m.usage.user + m.usage.system);
      };
      child.on('message', onMessage);
      child.send({ type: 'cpu' });
    });
  }

  /**
   * Ends the process and waits until it is gone: closes the IPC channel (the peer exits at once,
   * writing its CPU profile when run with `NODE_OPTIONS=--cpu-prof`), and kills it if it is still
   * there after `graceMs`.
   */
  async stop(graceMs = 2000): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return this.#exited;
    if (child.connected) child.disconnect();
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.#exited, killed]);
    clearTimeout(timer);
    await this.#exited;
  }
}
