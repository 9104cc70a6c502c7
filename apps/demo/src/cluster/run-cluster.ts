import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Clock, systemClock } from '@warden/core';
import { World } from '../world.js';
import { describeStore, openClusterStore, type StoreLocation } from './cluster-store.js';
import { ClusterStory, type Kill, type Restart } from './cluster-story.js';
import { launchNodes } from './launch-nodes.js';
import {
  type ClusterEvent,
  NODE_NAMES,
  type PidData,
  PLANNER_NODE,
  type PlannerReport,
  threadOf,
} from './node-messages.js';
import type { NodeProcess } from './node-process.js';
import { readStore, type StoreReadings } from './store-readings.js';
import { within } from './within.js';

export interface ClusterOptions {
  readonly seed: number;
  /** Where `WARDEN_PG_URL` (and a real model's `WARDEN_MODEL_*`) are read from. */
  readonly env?: NodeJS.ProcessEnv;
  /** The driver's clock for its deadlines; default the system's. */
  readonly clock?: Clock;
  /** The whole run's bound (ms): past it the nodes are killed and the run fails. */
  readonly deadlineMs?: number;
  /** Every notable thing as it happens (elapsed real time in ms). */
  readonly onLine?: (elapsedMs: number, line: string) => void;
  /**
   * Serve the dashboard: every node serves its own, the planner's node shows the others beside
   * it. After the run, before the nodes stop, `hold` is awaited (Ctrl-C ends it, not the run).
   */
  readonly dashboard?: { readonly hold: (url: string) => Promise<void> };
}

/** One node process, after the run. */
export interface NodeOutcome {
  readonly name: string;
  readonly pid: number | undefined;
  readonly exited: boolean;
  /** `exit 0`, `SIGKILL`, or `running`. */
  readonly exit: string;
}

/** What a cluster run did, for the summary and its invariants. */
export interface ClusterReport {
  readonly seed: number;
  /** The tickets of the run's world. */
  readonly tickets: readonly number[];
  readonly storeDescription: string;
  /** The run's temporary folder (removed before `runCluster` returns). */
  readonly tempDir: string;
  readonly wallMs: number;
  readonly nodes: readonly NodeOutcome[];
  readonly kill: Kill | undefined;
  readonly restarts: readonly Restart[];
  /** Calls a service refused as already applied. */
  readonly repeats: number;
  readonly planner: PlannerReport | undefined;
  readonly store: StoreReadings | undefined;
  /** Why the run stopped early, if it did. */
  readonly error: string | undefined;
}

export const CLUSTER_DEFAULTS = Object.freeze({ deadlineMs: 50_000 });

/** Bounds of the driver's waits (ms): each ends the run with an error rather than hang. */
const LISTEN_MS = 20_000;
const MESH_MS = 10_000;
const COMMAND_MS = 5_000;
const STOP_MS = 3_000;

/**
 * Runs the cluster demo once: three node processes on 127.0.0.1 joined by transport-ws (a
 * secret and Ed25519 node identities made for this run), sharing one store; the planner's node
 * runs the triage, and once a quarter of the tickets are done the driver SIGKILLs the worker node
 * running two or more workers mid-ticket. Every child process is killed and the temporary folder
 * removed before it returns, whatever happened.
 */
export async function runCluster(options: ClusterOptions): Promise<ClusterReport> {
  const clock = options.clock ?? systemClock;
  const env = options.env ?? process.env;
  const began = clock.now();
  const elapsed = () => clock.now() - began;
  const line = (text: string) => options.onLine?.(elapsed(), text);
  const runId = randomUUID().slice(0, 8);
  const deadline = options.deadlineMs ?? CLUSTER_DEFAULTS.deadlineMs;
  const dir = await mkdtemp(join(tmpdir(), 'warden-cluster-'));
  const pg = env.WARDEN_PG_URL;
  const location: StoreLocation =
    pg !== undefined && pg !== ''
      ? { kind: 'postgres', url: pg }
      : { kind: 'sqlite', path: join(dir, 'warden.db') };
  const tickets = new World(options.seed).tickets.map((t) => t.id);
  const story = new ClusterStory(tickets.length);
  const nodes: NodeProcess[] = [];
  const dead = new Set<string>();
  const peers = new Map<string, Set<string>>();
  let meshed: () => void = () => undefined;
  const mesh = new Promise<void>((resolve) => {
    meshed = resolve;
  });
  let kill: Kill | undefined;

  const onEvent = (event: ClusterEvent) => {
    if (event.kind === 'peer') {
      const seen = peers.get(event.node) ?? new Set<string>();
      if (event.up) seen.add(event.peer);
      else seen.delete(event.peer);
      peers.set(event.node, seen);
      if (NODE_NAMES.every((n) => (peers.get(n)?.size ?? 0) === NODE_NAMES.length - 1)) meshed();
    }
    for (const text of story.handle(event)) line(text);
    const victim = story.victim(dead);
    if (victim !== undefined) {
      kill = { ...victim, at: elapsed() };
      story.kill = kill;
      dead.add(victim.node);
      const running = victim.workers.map((w) => `${w.ticket} (step ${w.step})`).join(', ');
      line(`killing ${victim.node} with SIGKILL while it runs the workers of tickets ${running}`);
      nodes.find((n) => n.name === victim.node)?.proc.kill('SIGKILL');
    }
  };

  // Whatever ends this process (an exception, Ctrl-C), its node processes and files end with it.
  const killAll = () => {
    for (const n of nodes) if (n.alive) n.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  // Interrupted: kill the nodes and leave once they have exited (each waited for, bounded).
  const interrupted = () => {
    killAll();
    void within(clock, STOP_MS, 'the nodes exiting', Promise.all(nodes.map((n) => n.exited)))
      .catch(() => undefined)
      .finally(() => process.exit(130));
  };
  process.once('exit', killAll);
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  let planner: PlannerReport | undefined;
  let dashboardUrl: string | undefined;
  let store: StoreReadings | undefined;
  let error: string | undefined;
  try {
    await within(
      clock,
      deadline,
      'the cluster run',
      (async () => {
        line(`the shared store: ${describeStore(location)}`);
        nodes.push(
          ...launchNodes({
            seed: options.seed,
            runId,
            location,
            env,
            clock,
            onEvent,
            dashboard: options.dashboard !== undefined,
          }),
        );
        await within(
          clock,
          LISTEN_MS,
          'the nodes listening',
          Promise.all(nodes.map((n) => n.listening)),
        );
        for (const n of nodes) {
          const role =
            n.name === PLANNER_NODE
              ? "the planner, the workers' supervisor and the world's services"
              : 'runs the workers it is asked for';
          line(`${n.name} is up (pid ${n.pid}, ${n.address}): ${role}`);
        }
        const [alpha, ...workers] = nodes as [NodeProcess, ...NodeProcess[]];
        for (const w of workers)
          await w.command({ cmd: 'connect', address: alpha.address }, COMMAND_MS);
        await within(clock, MESH_MS, 'the full mesh', mesh);
        line(
          'the three nodes see each other (shared secret, each proving its name with its own Ed25519 key)',
        );
        const world = alpha.world as PidData;
        for (const w of workers) await w.command({ cmd: 'configure', world }, COMMAND_MS);
        const spawners = Object.fromEntries(workers.map((w) => [w.name, w.spawner as PidData]));
        if (options.dashboard !== undefined) {
          const peers = workers.map((w) => w.dashboard).filter((u) => u !== undefined);
          dashboardUrl = await alpha.command<string>({ cmd: 'dashboard', peers }, COMMAND_MS);
          line(`dashboard (all three nodes): ${dashboardUrl}`);
        }
        line(
          `planner: "Triage these ${tickets.length} support tickets: read each, look up the customer, reply, escalate refunds over $500, close duplicates."`,
        );
        planner = await alpha.command<PlannerReport>({ cmd: 'run', spawners }, deadline);
      })(),
    );
    if (options.dashboard !== undefined && dashboardUrl !== undefined) {
      // Ctrl-C now ends the wait, and the nodes stop as after any run.
      process.removeListener('SIGINT', interrupted);
      await options.dashboard.hold(dashboardUrl);
      process.once('SIGINT', interrupted);
    }
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
    // A node that could not start said why (anything else a node says goes to stderr as it comes).
    for (const n of nodes)
      if (n.failure !== undefined) line(`${n.name} could not start: ${n.failure}`);
  } finally {
    await Promise.all(nodes.map((n) => stopNode(n)));
    process.removeListener('exit', killAll);
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
  }
  try {
    if (error === undefined) {
      const shared = await openClusterStore(location);
      try {
        store = await readStore(
          shared,
          tickets.map((t) => threadOf(runId, t)),
        );
      } finally {
        await shared.close();
      }
    }
  } catch (e) {
    error = `reading the shared store: ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return {
    seed: options.seed,
    tickets,
    storeDescription: describeStore(location),
    tempDir: dir,
    wallMs: elapsed(),
    nodes: nodes.map((n) => ({
      name: n.name,
      pid: n.pid,
      exited: !n.alive,
      exit: n.alive
        ? 'running'
        : n.proc.signalCode !== null
          ? n.proc.signalCode
          : `exit ${n.proc.exitCode}`,
    })),
    kill,
    restarts: story.restarts,
    repeats: story.repeats,
    planner,
    store,
    error,
  };

  /** Asks a node to stop; kills it if it does not exit in time. */
  async function stopNode(n: NodeProcess): Promise<void> {
    if (n.alive) {
      try {
        await n.command({ cmd: 'stop' }, STOP_MS);
      } catch {
        // It may have exited before it answered: the kill below settles it either way.
      }
      if (!(await n.kill(undefined, STOP_MS))) await n.kill('SIGKILL', STOP_MS);
    }
  }
}
