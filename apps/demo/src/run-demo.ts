import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AgentStore,
  ApprovalDesk,
  type EffectEntry,
  MemoryAgentStore,
  runTask,
} from '@warden/agents';
import { createNode, type Node, type NodeEvent, startSupervisor } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { FeatureFlags } from '@warden/resilience';
import {
  type DelegationReport,
  FREEZE_FLAG,
  type Governance,
  type Models,
  team,
} from './agents.js';
import { Chaos, type ChaosPlan } from './chaos.js';
import { Operator } from './operator.js';
import { World } from './world.js';

export interface DemoOptions {
  readonly plan: ChaosPlan;
  readonly seed: number;
  /** Real models (from WARDEN_MODEL_URL); scripted ones on a virtual clock when absent. */
  readonly models?: (node: Node) => Models;
  /** Every notable thing as it happens, as a line of text (virtual time in ms). */
  readonly onLine?: (time: number, line: string) => void;
  /** Tickets resolved so far, after each one. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Where the agents keep their state; default in memory (`npm run demo` gives a SQLite file). */
  readonly store?: AgentStore;
  /**
   * Virtual milliseconds per real millisecond: with it, virtual time moves no faster than that,
   * so a person can watch the run (on the dashboard). Without it the run is instant.
   */
  readonly pace?: number;
  /** Called once the node and its governance exist, before the tree starts (the dashboard). */
  readonly onStart?: (node: Node, governance: Governance) => Promise<void> | void;
  /** Called after the run, before the node stops (a dashboard stays up until it resolves). */
  readonly beforeStop?: () => Promise<void>;
}

/** What a run of the demo did, for the summary and its invariants. */
export interface DemoReport {
  readonly seed: number;
  readonly world: World;
  readonly chaos: Chaos;
  readonly delegation: DelegationReport;
  readonly plannerAnswer: string | undefined;
  readonly plannerError: string | undefined;
  readonly virtualMs: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly tokens: { readonly input: number; readonly output: number };
  readonly costUsd: number;
  readonly operator: Operator;
  /** Every tool call of every thread, as the durable effect journal holds it. */
  readonly journal: readonly EffectEntry[];
  /** Bytes the store keeps for the workers' threads, and their steps. */
  readonly storage: {
    readonly bytes: number;
    readonly steps: number;
    readonly checkpoints: number;
  };
}

/** Runs the planner-worker demo once: a supervision tree, a task, injected faults. */
export async function runDemo(options: DemoOptions): Promise<DemoReport> {
  const virtual = options.models === undefined;
  // Scripted models run on a virtual clock (deterministic, instant); real ones on the system's.
  const clock = virtual ? new TestClock() : undefined;
  const node = createNode(clock === undefined ? { name: 'demo' } : { name: 'demo', clock });
  const world = new World(options.seed);
  const chaos = new Chaos(options.plan, options.seed);
  const counts: Record<string, number> = {};
  const tokens = { input: 0, output: 0 };
  let costUsd = 0;
  const line = (text: string) => options.onLine?.(node.clock.now(), text);
  let resolved = 0;
  node.inspect((event) => {
    const e = unwrap(event);
    counts[e.type] = (counts[e.type] ?? 0) + 1;
    const thread = typeof e.threadId === 'string' ? e.threadId.replace('ticket-', 'ticket ') : '';
    switch (e.type) {
      case 'agent.task_started':
        if (e.resumed === true)
          line(`${thread}: a new worker resumes from the checkpoint of step ${e.step}`);
        break;
      case 'agent.step': {
        const usage = e.usage as { inputTokens: number; outputTokens: number };
        tokens.input += usage.inputTokens;
        tokens.output += usage.outputTokens;
        break;
      }
      case 'agent.finished':
        costUsd += (e.spent as { costUsd: number }).costUsd;
        if (e.agent === 'worker') options.onProgress?.(++resolved, world.tickets.length);
        break;
      case 'agent.tool_call':
        if (e.outcome === 'ERR_TOOL_TIMEOUT')
          line(`${thread}: ${e.tool} hung; abandoned at its timeout, the model is told`);
        if (e.tool === 'purge_records')
          line(
            `${thread}: the model asked to purge a production table; refused by the runtime (${String(e.outcome)}), the model is told`,
          );
        break;
      case 'agent.compacted':
        line(
          `${thread}: context compacted from ${e.before} to ${e.after} tokens (task kept verbatim)`,
        );
        break;
      case 'model.degraded':
        if ((counts['model.degraded'] ?? 0) === 1)
          line(`model: primary unavailable; serving from ${e.level}`);
        break;
      case 'degrade.level_changed':
        line(`${String(e.source)}: ${String(e.from ?? 'start')} -> ${String(e.to ?? 'none')}`);
        break;
      case 'model.paused':
        if ((counts['model.paused'] ?? 0) % 10 === 1)
          line(`model: ${e.provider} said 429; pausing it until its Retry-After`);
        break;
      case 'breaker.trip':
        line(`model: breaker ${String(e.name)} opened`);
        break;
      case 'breaker.close':
        line(`model: breaker ${String(e.name)} closed again`);
        break;
    }
  });
  const store = options.store ?? new MemoryAgentStore({ clock: node.clock });
  const flags = new FeatureFlags({
    clock: node.clock,
    flags: { [FREEZE_FLAG]: chaos.plan.freeze },
  });
  if (chaos.plan.freeze)
    line('operator: a code freeze is on: no irreversible call may run until it lifts');
  const desk = new ApprovalDesk({ clock: node.clock, store: store.approvals, timeoutMs: 120_000 });
  const governance: Governance = { store, desk, flags };
  const operator = new Operator(node, desk, line);
  await options.onStart?.(node, governance);
  const { planner, delegation } = team(node, world, chaos, governance, options.models?.(node));
  chaos.onCrash = (tool, threadId) =>
    line(`${threadId.replace('ticket-', 'ticket ')}: worker killed during ${tool}`);
  world.onDuplicate = (ticket) =>
    line(`ticket ${ticket}: a repeated call was refused by its idempotency key: no duplicate`);
  await startSupervisor(node, {
    strategy: 'one_for_one',
    intensity: 3,
    period: 60_000,
    children: [{ id: 'planner', start: { behaviour: planner, options: { name: 'planner' } } }],
  });
  line(
    `planner: "Triage these ${world.tickets.length} support tickets: read each, look up the customer, reply, escalate refunds over $500, close duplicates."`,
  );
  let plannerAnswer: string | undefined;
  let plannerError: string | undefined;
  const task = runTask(
    node,
    'planner',
    { task: 'Triage the support queue.', threadId: 'queue-1' },
    { timeout: 3_600_000 },
  ).then(
    (r) => {
      plannerAnswer = r.text;
    },
    (e: unknown) => {
      plannerError = e instanceof Error ? e.message : String(e);
    },
  );
  let finished = false;
  void task.finally(() => {
    finished = true;
  });
  if (clock !== undefined) {
    for (let i = 0; i < 100_000 && !finished; i++) {
      // Settle first: the next timer to move to is one the work in flight has armed.
      await clock.settle();
      const before = clock.now();
      if (finished || !(await clock.advanceToNext())) break;
      if (options.pace !== undefined)
        await sleep(Math.min(500, (clock.now() - before) / options.pace));
    }
  }
  await task;
  operator.stop();
  const virtualMs = node.clock.now();
  const journal: EffectEntry[] = [];
  const storage = { bytes: 0, steps: 0, checkpoints: 0 };
  for (const ticket of world.tickets) {
    const threadId = `ticket-${ticket.id}`;
    journal.push(...(await store.journal.list(threadId)));
    const usage = await store.usage(threadId);
    storage.bytes += usage.bytes;
    storage.checkpoints += usage.checkpoints;
    storage.steps += (await store.checkpoints.latest(threadId))?.step ?? 0;
  }
  await options.beforeStop?.();
  await node.stop();
  return {
    seed: options.seed,
    world,
    chaos,
    delegation,
    plannerAnswer,
    plannerError,
    virtualMs,
    counts,
    tokens,
    costUsd,
    operator,
    journal,
    storage,
  };
}

/** A published event as itself (agents and the model policy publish through the node). */
function unwrap(event: NodeEvent): { type: string; [field: string]: unknown } {
  if (event.type === 'published') return event.event as { type: string };
  return event as unknown as { type: string };
}
