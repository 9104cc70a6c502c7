// One node of the cluster demo, in its own process: started by the driver (run-cluster.ts) with
// its identity, the cluster's secret and the shared store in WARDEN_* variables; it listens on
// 127.0.0.1, tells the driver its address and services over IPC, and obeys the driver's
// commands. The planner's node runs the planner, the workers' supervisor and the world's
// services; a worker node runs the workers that supervisor asks it for.
import { agentHost, defineAgent, runTask, tokenizerFor } from '@warden/agents';
import { createNode, type NodeEvent, Pid } from '@warden/core';
import { type DashboardServer, httpPeer, serveDashboard } from '@warden/dashboard';
import { createWsTransport } from '@warden/transport-ws';
import { PRICES } from '../agents.js';
import { World } from '../world.js';
import { clusterModels } from './cluster-models.js';
import { DELEGATION_TIMEOUT_MS, startPlannerTree } from './cluster-planner.js';
import { openClusterStore, type StoreLocation } from './cluster-store.js';
import { clusterTools, WORKER_RIGHTS } from './cluster-tools.js';
import {
  type ClusterEvent,
  type NodeCommand,
  type NodeMessage,
  type PidData,
  PLANNER_NODE,
  type PlannerReport,
  ticketOf,
} from './node-messages.js';
import { WorkerPlacement } from './worker-placement.js';
import { worldService } from './world-service.js';

/** How long a stopping node may take before its process exits anyway (system clock, ms). */
const STOP_GRACE_MS = 2_000;

const env = process.env;
const name = env.WARDEN_NODE_NAME ?? '';
const runId = env.WARDEN_RUN_ID ?? 'run';
const seed = Number(env.WARDEN_SEED ?? 42);
const location = JSON.parse(env.WARDEN_STORE ?? 'null') as StoreLocation;
const send = (message: NodeMessage, then?: () => void): void => {
  if (process.connected) process.send?.(message, undefined, undefined, () => then?.());
  else then?.();
};
const tell = (event: ClusterEvent): void => send({ type: 'event', event });
/** Tells the driver why this node cannot start, then exits (nothing after it runs). */
const fail = (error: unknown): Promise<never> => {
  const text = error instanceof Error ? error.message : String(error);
  send({ type: 'failed', error: text }, () => process.exit(1));
  // Exits even if the channel is gone or the message never drains.
  setTimeout(() => process.exit(1), STOP_GRACE_MS);
  return new Promise<never>(() => undefined);
};

const transport = createWsTransport({
  secret: env.WARDEN_SECRET ?? '',
  identity: {
    clusterKey: env.WARDEN_CLUSTER_KEY ?? '',
    certificate: env.WARDEN_NODE_CERTIFICATE ?? '',
    privateKey: env.WARDEN_NODE_KEY ?? '',
  },
  // A killed node's sockets close at once, so its loss is seen without waiting for heartbeats
  // (they are for a node that hangs instead, and keep their defaults).
  reconnect: { initial: 50, max: 500 },
});
const node = createNode({ name, transport });
const store = await openClusterStore(location).catch(fail);
// Every node builds the same world from the seed: the scripted model reads the tickets from it.
// Only the planner's node serves it (and records what is applied to it).
const world = new World(seed);
const models = clusterModels(node, world, env);
const planner = name === PLANNER_NODE;

let placement: WorkerPlacement | undefined;
let dashboard: DashboardServer | undefined;
let workersSupervisor: Pid | undefined;
node.inspect((event) => observe(event));

const service = worldService(world, (call) =>
  tell({ kind: 'repeat', node: name, ticket: call.ticket, tool: call.tool, from: call.from }),
);
let worldPid: Pid | undefined = planner
  ? node.spawn(service.behaviour, { name: 'world' })
  : undefined;

/** The worker agent of a worker node: the single-node demo's, with tools that reach the world. */
const worker = () =>
  defineAgent({
    name: 'worker',
    model: models.worker,
    system: 'You resolve one support ticket with your tools, then say what you did.',
    tools: clusterTools(() => {
      if (worldPid === undefined) throw new Error('this node was not told where the world is');
      return worldPid;
    }),
    limits: { steps: 30, tokens: 120_000, costUsd: 0.5 },
    prices: PRICES,
    store,
  });
/** A worker node's agent host: it starts workers for the planner's node, within WORKER_RIGHTS. */
const spawner = planner
  ? undefined
  : node.spawn(agentHost({ agents: [worker()], ceiling: WORKER_RIGHTS }), { name: 'spawner' });

function observe(event: NodeEvent): void {
  if (event.type === 'node.up' || event.type === 'node.down') {
    tell({ kind: 'peer', node: name, peer: event.node, up: event.type === 'node.up' });
    return;
  }
  if (event.type === 'supervisor.child_exited') {
    const lost = placement?.find(event.pid);
    const supervisor = workersSupervisor ?? node.whereis('workers');
    if (lost !== undefined && event.reason !== 'normal' && event.supervisor.key === supervisor?.key)
      tell({
        kind: 'lost',
        node: name,
        ticket: lost.ticket,
        on: lost.on,
        reason: describe(event.reason),
      });
    return;
  }
  if (event.type !== 'published') return;
  const e = event.event as { type: string; [field: string]: unknown };
  const ticket = ticketOf(e.threadId);
  if (e.agent !== 'worker' || ticket === undefined) return;
  if (e.type === 'agent.task_started')
    tell({
      kind: 'started',
      node: name,
      ticket,
      resumed: e.resumed === true,
      step: Number(e.step),
    });
  else if (e.type === 'agent.tool_call')
    tell({ kind: 'tool', node: name, ticket, step: Number(e.step), tool: String(e.tool) });
  else if (e.type === 'agent.finished') tell({ kind: 'finished', node: name, ticket });
}

async function run(command: NodeCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'connect':
      return transport.connect(command.address, { timeout: 5_000 });
    case 'configure':
      worldPid = Pid.from(command.world);
      return true;
    case 'dashboard':
      dashboard ??= await serveDashboard(node, {
        peers: command.peers.map((url) => httpPeer({ url })),
      });
      return dashboard.url;
    case 'run':
      return triage(command.spawners);
    case 'stop':
      setTimeout(() => process.exit(0), STOP_GRACE_MS).unref();
      await node.stop();
      await transport.close();
      await store.close();
      return true;
  }
}

async function triage(spawners: Readonly<Record<string, PidData>>): Promise<PlannerReport> {
  placement = new WorkerPlacement(
    new Map(Object.entries(spawners).map(([n, pid]) => [n, Pid.from(pid)])),
    WORKER_RIGHTS,
    (placed, attempt) =>
      tell({ kind: 'placed', node: name, ticket: placed.ticket, on: placed.on, attempt }),
  );
  const tree = await startPlannerTree(node, {
    runId,
    world,
    model: models.planner,
    store,
    placement,
    onAnswer: (ticket) => tell({ kind: 'resolved', node: name, ticket }),
  });
  workersSupervisor = node.whereis('workers');
  let plannerAnswer: string | undefined;
  let plannerError: string | undefined;
  try {
    const result = await runTask(
      node,
      'planner',
      { task: 'Triage the support queue.', threadId: `${runId}:queue` },
      { timeout: DELEGATION_TIMEOUT_MS + 5_000 },
    );
    plannerAnswer = result.text;
    tell({ kind: 'planner', node: name, text: result.text });
  } catch (error) {
    plannerError = error instanceof Error ? error.message : String(error);
  }
  return {
    plannerAnswer,
    plannerError,
    failed: tree.failed,
    calls: service.calls,
    effects: world.effects.map(({ service: s, ticket, key }) => ({ service: s, ticket, key })),
    placements: placement.placed.map(({ ticket, on }) => ({ ticket, on })),
  };
}

function describe(reason: unknown): string {
  if (typeof reason === 'string') return reason;
  const message = (reason as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : JSON.stringify(reason);
}

process.on('message', (raw) => {
  const command = raw as NodeCommand;
  run(command).then(
    (value) =>
      send(
        { type: 'answer', id: command.id, ok: true, value },
        // Stopped: leave once the answer is out.
        command.cmd === 'stop' ? () => process.exit(0) : undefined,
      ),
    (error: unknown) =>
      send({
        type: 'answer',
        id: command.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      }),
  );
});
// The driver is gone (it exited or was killed), or this node has stopped: leave, never linger as
// an orphan.
process.on('disconnect', () => {
  setTimeout(() => process.exit(0), STOP_GRACE_MS).unref();
  void node
    .stop()
    .then(() => transport.close())
    .finally(() => process.exit(0));
});

// The tokenizer's tables load on first use, synchronously, for a second or so: load them before
// joining, not in the middle of the triage where it would stall every process of the node.
tokenizerFor('o200k_base').count('warm');
const bound = await transport.listen({ host: '127.0.0.1', port: 0 }).catch(fail);
// A worker node serves its own dashboard at once; the planner's node serves one that shows the
// others beside its own once it knows their addresses (the 'dashboard' command).
if (env.WARDEN_DASHBOARD === '1' && !planner) dashboard = await serveDashboard(node).catch(fail);
send({
  type: 'listening',
  address: `${bound.host}:${bound.port}`,
  spawner: spawner?.toJSON(),
  world: worldPid?.toJSON(),
  dashboard: dashboard?.url,
});
