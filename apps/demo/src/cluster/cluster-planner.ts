import {
  type AgentReply,
  type AgentResult,
  type AgentStore,
  defineAgent,
  defineTool,
  type ModelClient,
} from '@warden/agents';
import {
  type CallRequest,
  defineActor,
  type Node,
  noreply,
  type Pid,
  reply,
  Supervisor,
  type SupervisorSpec,
  startDynamicChild,
  startSupervisor,
} from '@warden/core';
import { z } from 'zod';
import { PRICES, WORKERS } from '../agents.js';
import type { World } from '../world.js';
import { threadOf } from './node-messages.js';
import type { WorkerPlacement, WorkerRequest } from './worker-placement.js';

/** How long the planner waits for one ticket's answer, restarts included (node clock, ms). */
const TICKET_TIMEOUT_MS = 20_000;
/** How long the planner's whole delegation may take (node clock, ms). */
export const DELEGATION_TIMEOUT_MS = 40_000;

interface Answers {
  readonly results: Map<number, AgentResult>;
  readonly waiting: Map<number, CallRequest[]>;
}

/**
 * Collects the workers' answers on the planner's node, by ticket. A worker replies to this
 * process, not to whoever started it, because the worker that answers may be the second one
 * started for its ticket, on another node. A second answer for a ticket (a worker resumed after
 * it had answered) is dropped.
 */
function answersCollector(onAnswer: (ticket: number) => void) {
  return defineActor<Answers, void, unknown>({
    init: () => ({ results: new Map(), waiting: new Map() }),
    handleInfo: (message, state, ctx) => {
      const answer = message as Partial<AgentReply> | null;
      if (answer?.$agent !== 'reply' || typeof answer.tag !== 'number') return state;
      const ticket = answer.tag;
      if (state.results.has(ticket) || answer.result === undefined) return state;
      state.results.set(ticket, answer.result);
      onAnswer(ticket);
      for (const from of state.waiting.get(ticket) ?? []) ctx.reply(from, answer.result);
      state.waiting.delete(ticket);
      return state;
    },
    handleCall: (request, from, state) => {
      const ticket = (request as { await?: unknown } | null)?.await;
      if (typeof ticket !== 'number') return reply({ error: 'unknown_request' }, state);
      const result = state.results.get(ticket);
      if (result !== undefined) return reply(result, state);
      state.waiting.set(ticket, [...(state.waiting.get(ticket) ?? []), from]);
      return noreply(state);
    },
  });
}

export interface PlannerTree {
  /** Tickets whose worker never answered, or answered without finishing. */
  readonly failed: number[];
}

/**
 * The planner's side of the cluster: the answers collector, the workers' supervisor (its
 * children run on other nodes, placed by `placement`) and the planner agent, under one
 * supervisor. The planner hands each ticket to the workers' supervisor and waits for the answer;
 * the supervisor restarts a worker whose node is lost, and the restarted worker resumes.
 */
export async function startPlannerTree(
  node: Node,
  options: {
    readonly runId: string;
    readonly world: World;
    readonly model: ModelClient;
    readonly store: AgentStore;
    readonly placement: WorkerPlacement;
    readonly onAnswer: (ticket: number) => void;
  },
): Promise<PlannerTree> {
  const { runId, world, placement } = options;
  const tree: PlannerTree = { failed: [] };
  const listTickets = defineTool({
    name: 'list_tickets',
    description: 'Lists the open tickets',
    effect: 'read',
    input: z.object({}),
    run: () => world.tickets.map((t) => t.id),
  });
  const delegateAll = defineTool({
    name: 'delegate_all',
    description: 'Hands each ticket to a worker and waits for all of them',
    effect: 'read',
    timeout: DELEGATION_TIMEOUT_MS,
    input: z.object({ tickets: z.array(z.number().int()).max(100) }),
    run: async ({ tickets }, ctx) => {
      const queue = [...tickets];
      const resolved: number[] = [];
      const answers = ctx.node.whereis('answers') as Pid;
      const one = async (ticket: number): Promise<void> => {
        const request: WorkerRequest = {
          ticket,
          threadId: threadOf(runId, ticket),
          task: `Triage ticket ${ticket}`,
          replyTo: answers,
        };
        try {
          const started = await startDynamicChild(ctx.node, 'workers', request);
          if (!started.ok) throw new Error(`no worker started for ticket ${ticket}`);
          const result = await ctx.node.call<AgentResult>(
            answers,
            { await: ticket },
            { timeout: TICKET_TIMEOUT_MS, signal: ctx.signal },
          );
          (result.outcome === 'done' ? resolved : tree.failed).push(ticket);
        } catch {
          tree.failed.push(ticket);
        }
      };
      await Promise.all(
        Array.from({ length: WORKERS }, async () => {
          for (let id = queue.shift(); id !== undefined; id = queue.shift()) await one(id);
        }),
      );
      return { resolved: resolved.length, failed: tree.failed };
    },
  });
  const planner = defineAgent({
    name: 'planner',
    model: options.model,
    system: 'You plan the triage of the support queue and delegate each ticket to a worker.',
    tools: [listTickets, delegateAll],
    limits: { steps: 10 },
    prices: PRICES,
    store: options.store,
  });
  const workers: SupervisorSpec = {
    strategy: 'simple_one_for_one',
    // Losing a node restarts all of its workers at once: room for that, and more.
    intensity: 10,
    period: 30_000,
    children: [{ id: 'worker', restart: 'transient', shutdown: 2_000, start: placement.start }],
  };
  await startSupervisor(node, {
    strategy: 'one_for_one',
    intensity: 3,
    period: 60_000,
    children: [
      {
        id: 'answers',
        start: { behaviour: answersCollector(options.onAnswer), options: { name: 'answers' } },
      },
      {
        id: 'workers',
        type: 'supervisor',
        start: { behaviour: Supervisor, args: workers, options: { name: 'workers' } },
      },
      { id: 'planner', start: { behaviour: planner, options: { name: 'planner' } } },
    ],
  });
  return tree;
}
