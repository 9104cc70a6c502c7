import {
  type AgentBehaviour,
  type AgentResultLike,
  type AgentStore,
  type ApprovalDesk,
  createModelPolicy,
  createResilientModel,
  defineAgent,
  defineTool,
  type Message,
  type ModelClient,
  type ModelRequest,
  type PriceTable,
} from '@warden/agents';
import {
  createScriptedModel,
  outage,
  type ScriptedTurn,
  seededRandom,
} from '@warden/agents/testing';
import type { Clock, Node } from '@warden/core';
import type { FeatureFlags } from '@warden/resilience';
import { z } from 'zod';
import { type Chaos, PURGING_TICKET } from './chaos.js';
import { workerTools } from './tools.js';
import type { World } from './world.js';

/** Prices of the demo's two (scripted) models, dollars per million tokens. */
export const PRICES: PriceTable = {
  'acme-large': { inputPerMTok: 3, outputPerMTok: 15 },
  'backup-small': { inputPerMTok: 0.5, outputPerMTok: 2 },
};

/** How often the planner hands out a ticket whose worker died before it gives up on it. */
const ATTEMPTS = 5;

/** Workers of one type running at once under the planner. */
export const WORKERS = 4;

export interface DelegationReport {
  resolved: number[];
  failed: number[];
  /** Second requests for a ticket already being worked on: joined, never started twice. */
  duplicateRequests: number;
  /** Tickets handed out again after their worker died: resumed from its checkpoint. */
  reassigned: number;
}

/** What the runtime enforces around the agents: where they keep state, who approves, freezes. */
export interface Governance {
  /** Checkpoints, the effect journal, approvals, the audit log and memory, durable. */
  readonly store: AgentStore;
  /** Where large refunds wait for a person. */
  readonly desk: ApprovalDesk;
  /** `code-freeze` on: no irreversible call runs, whatever a model asks. */
  readonly flags: FeatureFlags;
}

export const FREEZE_FLAG = 'code-freeze';

export interface Team {
  readonly planner: AgentBehaviour;
  readonly delegation: DelegationReport;
}

/**
 * The demo's agents: a planner that lists the tickets and hands each to a worker through
 * `spawnAgent` (keyed by the ticket, at most four at once, reassigning a ticket whose worker
 * died), and workers that read the ticket, look the customer up, and reply, escalate a refund
 * over $500, or close a duplicate. Their models are scripted (deterministic, no network) unless
 * `models` are given; either way every call goes through the node's failure policy.
 */
export function team(
  node: Node,
  world: World,
  chaos: Chaos,
  governance: Governance,
  models?: Models,
): Team {
  const { planner: plannerModel, worker: workerModel } =
    models ?? scriptedModels(node, world, chaos);
  const worker = defineAgent({
    name: 'worker',
    model: workerModel,
    system: 'You resolve one support ticket with your tools, then say what you did.',
    tools: workerTools(world, chaos),
    limits: { steps: 30, tokens: 120_000, costUsd: 0.5 },
    prices: PRICES,
    contextWindow: 8_000,
    compaction: { strategies: ['clear-tool-results', 'offload'], keepRecent: 2 },
    store: governance.store,
    policy: {
      rules: [
        {
          id: 'large-refunds',
          tools: ['escalate_refund'],
          scopes: ['refunds:large'],
          decision: 'ask',
        },
      ],
      // The freeze covers production; replies and refunds go on.
      freeze: [{ flags: governance.flags, flag: FREEZE_FLAG, scopes: ['db:production/'] }],
    },
    approvals: { desk: governance.desk },
  });
  const delegation: DelegationReport = {
    resolved: [],
    failed: [],
    duplicateRequests: 0,
    reassigned: 0,
  };
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
    timeout: 60 * 60_000,
    input: z.object({ tickets: z.array(z.number().int()).max(100) }),
    run: async ({ tickets }, ctx) => {
      const queue = [...tickets];
      const one = async (id: number): Promise<void> => {
        for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
          const ask = () => ctx.spawnAgent(`ticket-${id}`, worker, `Triage ticket ${id}`);
          try {
            const asks: Promise<AgentResultLike>[] = [ask()];
            if (chaos.plan.duplicateSpawns) {
              delegation.duplicateRequests++;
              asks.push(ask());
            }
            await Promise.all(asks);
            delegation.resolved.push(id);
            return;
          } catch {
            if (attempt < ATTEMPTS) delegation.reassigned++;
          }
        }
        delegation.failed.push(id);
      };
      await Promise.all(
        Array.from({ length: WORKERS }, async () => {
          for (let id = queue.shift(); id !== undefined; id = queue.shift()) await one(id);
        }),
      );
      return { resolved: delegation.resolved.length, failed: delegation.failed };
    },
  });
  const planner = defineAgent({
    name: 'planner',
    model: plannerModel,
    system: 'You plan the triage of the support queue and delegate each ticket to a worker.',
    tools: [listTickets, delegateAll],
    limits: { steps: 10 },
    prices: PRICES,
    subagents: { perType: WORKERS },
    store: governance.store,
  });
  return { planner, delegation };
}

export interface Models {
  readonly planner: ModelClient;
  readonly worker: ModelClient;
}

/** The scripted models, with the chaos plan's model faults, behind the node's failure policy. */
export function scriptedModels(node: Node, world: World, chaos: Chaos): Models {
  const clock: Clock = node.clock;
  // One policy for both models, its jitter seeded: a run is a function of its seed.
  const policy = createModelPolicy({ clock, node, random: seededRandom(chaos.seed) });
  const resilient = (
    name: string,
    script: (request: ModelRequest) => ScriptedTurn,
  ): ModelClient => {
    const primary = createScriptedModel({
      clock,
      provider: 'acme',
      model: 'acme-large',
      latencyMs: 400,
      script,
      ...(chaos.plan.rateLimitStorm ? { rateLimit: { requests: 4, windowMs: 1_000 } } : {}),
      faults:
        chaos.plan.outage === undefined
          ? []
          : [outage(chaos.plan.outage.fromMs, chaos.plan.outage.toMs)],
    });
    const fallback = createScriptedModel({
      clock,
      provider: 'backup',
      model: 'backup-small',
      latencyMs: 250,
      script,
    });
    return createResilientModel({
      node,
      policy,
      name,
      primary,
      fallbacks: [fallback],
      cache: false,
      queue: false,
    });
  };
  return {
    planner: resilient('planner model', plannerTurn),
    worker: resilient('worker model', (request) => workerTurn(world, chaos, request)),
  };
}

/** The tool results of a conversation, in order. */
function results(messages: readonly Message[]): { name: string; ok: boolean; output: unknown }[] {
  const out: { name: string; ok: boolean; output: unknown }[] = [];
  for (const m of messages) {
    for (const p of m.content) {
      if (p.type === 'tool-result')
        out.push({ name: p.name, ok: p.isError !== true, output: p.output });
    }
  }
  return out;
}

/** What the planner's model does next (the cluster demo scripts its planner with it too). */
export function plannerTurn(request: ModelRequest): ScriptedTurn {
  const last = results(request.messages).at(-1);
  if (last === undefined) return { toolCalls: [{ name: 'list_tickets', input: {} }] };
  if (last.name === 'list_tickets' && Array.isArray(last.output)) {
    return {
      text: `${last.output.length} open tickets: delegating each to a worker.`,
      toolCalls: [{ name: 'delegate_all', input: { tickets: last.output } }],
    };
  }
  const failed = (last.output as { failed?: readonly number[] } | null)?.failed ?? [];
  return failed.length === 0
    ? { text: 'Every ticket in the queue was handled.' }
    : { text: `${failed.length} tickets need a person: ${failed.join(', ')}.` };
}

/** What a worker's model does next, given what its tools have answered so far. */
export function workerTurn(world: World, chaos: Chaos, request: ModelRequest): ScriptedTurn {
  const first = request.messages[0]?.content[0];
  const id = Number(/ticket (\d+)/.exec(first?.type === 'text' ? first.text : '')?.[1] ?? 0);
  const ticket = world.ticket(id);
  if (ticket === undefined) return { text: `There is no ticket ${id}.` };
  const done = results(request.messages);
  const last = done.at(-1);
  const call = (name: string, input: unknown): ScriptedTurn => ({ toolCalls: [{ name, input }] });
  if (last === undefined) return call('read_ticket', { id });
  // In the freeze scenario one worker "decides" to clean up a production table first. The
  // runtime refuses it (the freeze, then the default for irreversible calls); it goes on.
  if (chaos.plan.freeze && id === PURGING_TICKET && !done.some((r) => r.name === 'purge_records'))
    return call('purge_records', { table: 'customers' });
  const pages = chaos.attachmentPages(id);
  const read = done.filter((r) => r.name === 'read_attachment' && r.ok).length;
  // After compaction moved earlier pages to memory, the worker goes on from what is left.
  const offloaded = request.messages.some((m) =>
    m.content.some((p) => p.type === 'text' && p.text.includes('moved to memory')),
  );
  const reading =
    last.name === 'read_ticket' || last.name === 'read_attachment' || last.name === 'purge_records';
  if (reading && read < pages && !offloaded)
    return call('read_attachment', { ticket: id, page: read + 1 });
  if (reading) {
    return ticket.duplicateOf === undefined
      ? call('lookup_customer', { id: ticket.customerId })
      : call('close_duplicate', { ticket: id, of: ticket.duplicateOf });
  }
  if (last.name === 'lookup_customer') {
    if (!last.ok) return call('lookup_customer', { id: ticket.customerId });
    if (ticket.refund > 500) return call('escalate_refund', { ticket: id, amount: ticket.refund });
    const name = world.customers.get(ticket.customerId)?.name ?? 'customer';
    return call('send_reply', {
      ticket: id,
      text: `Dear ${name}, about "${ticket.subject}": it is fixed.`,
    });
  }
  if (last.name === 'escalate_refund' && !last.ok) {
    // A person declined the refund: the customer is told it goes to the finance team.
    return call('send_reply', {
      ticket: id,
      text: `About "${ticket.subject}": your refund is with our finance team for review.`,
    });
  }
  if (!last.ok) return { text: `Ticket ${id}: ${last.name} failed; leaving it for a person.` };
  return { text: `Ticket ${id}: done (${last.name}).` };
}
