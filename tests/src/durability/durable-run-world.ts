import {
  type AgentResult,
  type AgentStore,
  ApprovalDesk,
  defineAgent,
  defineTool,
  type ModelRequest,
  runTask,
} from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import { createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { z } from 'zod';
import { crashingStore, Incarnation } from './crash-store.js';

/** One tool call the scripted model plans. */
export interface PlannedCall {
  readonly tool: 'read_ticket' | 'send_mail' | 'refund';
  readonly id: number;
}

/**
 * The world outside the store: what really happened. A mail provider that deduplicates by
 * idempotency key (as real ones do), and a payment system that does not: each refund it receives
 * is money out.
 */
export class World {
  readonly mails = new Map<string, number>();
  readonly refunds = new Map<string, number>();
  reads = 0;
  /** Approvals the operator issued, by nonce: the oracle for "never without approval". */
  readonly issued = new Set<string>();
  readonly deniedUnknown: string[] = [];
}

function tools(world: World) {
  return [
    defineTool({
      name: 'read_ticket',
      description: 'reads a ticket',
      effect: 'read',
      idempotent: true,
      input: z.object({ id: z.number().int() }),
      run: ({ id }) => {
        world.reads++;
        return { id, text: `ticket ${id}` };
      },
    }),
    defineTool({
      name: 'send_mail',
      description: 'sends a reply',
      effect: 'write',
      idempotent: true,
      input: z.object({ id: z.number().int() }),
      run: (_input, ctx) => {
        world.mails.set(ctx.idempotencyKey, (world.mails.get(ctx.idempotencyKey) ?? 0) + 1);
        return 'sent';
      },
    }),
    defineTool({
      name: 'refund',
      description: 'refunds a customer',
      effect: 'irreversible',
      idempotent: false,
      input: z.object({ id: z.number().int() }),
      scope: ({ id }) => `refund:${id}`,
      run: (_input, ctx) => {
        world.refunds.set(ctx.idempotencyKey, (world.refunds.get(ctx.idempotencyKey) ?? 0) + 1);
        return 'refunded';
      },
    }),
  ];
}

/** The model plans step k as `plan[k]` (k = assistant turns so far), then answers. */
function script(plan: readonly (readonly PlannedCall[])[]) {
  return (request: ModelRequest) => {
    const k = request.messages.filter((m) => m.role === 'assistant').length;
    const calls = plan[k];
    if (calls === undefined) return { text: `handled ${plan.length} steps` };
    return { toolCalls: calls.map((c) => ({ name: c.tool, input: { id: c.id } })) };
  };
}

export interface IncarnationOutcome {
  readonly life: Incarnation;
  readonly result: AgentResult | undefined;
}

/**
 * Runs the thread on a fresh node (its own clock, desk and agent process) over the shared store,
 * until the task answers or the node dies at `crashAt`. The operator approves every refund the
 * policy sends to a person and denies re-running a call whose outcome is unknown.
 */
export async function runIncarnation(
  store: AgentStore,
  world: World,
  plan: readonly (readonly PlannedCall[])[],
  crashAt: number,
  n: number,
): Promise<IncarnationOutcome> {
  const clock = new TestClock();
  const node = createNode({ name: `node-${n}`, clock });
  const life = new Incarnation(crashAt);
  const durable = crashingStore(store, life);
  const desk = new ApprovalDesk({ clock, store: durable.approvals, timeoutMs: 60_000 });
  const agent = defineAgent({
    name: 'ops',
    model: createScriptedModel({ clock, latencyMs: 10, script: script(plan) }),
    system: 'You handle tickets.',
    tools: tools(world),
    store: durable,
    policy: { rules: [{ id: 'refunds-ask', tools: ['refund'], decision: 'ask' }] },
    approvals: { desk },
    limits: { steps: 40 },
  });
  let result: AgentResult | undefined;
  let failure: unknown;
  runTask(node, node.spawn(agent), { task: 'handle the tickets', threadId: 'thread' }).then(
    (r) => {
      result = r;
    },
    (e: unknown) => {
      failure = e;
    },
  );
  for (let round = 0; round < 400 && result === undefined && !life.dead; round++) {
    await clock.settle();
    for (const request of desk.pending()) {
      if (life.dead) break;
      if (request.kind === 'unknown_outcome') {
        world.deniedUnknown.push(request.id);
        desk.deny(request.id, { approver: 'ann', reason: 'checked: do not run it again' });
      } else {
        // Not awaited: if the node dies while the approval is being stored, it never answers.
        desk.approve(request.id, { approver: 'ann' }).then(
          (approval) => world.issued.add(approval.nonce),
          () => undefined,
        );
      }
    }
    if (failure !== undefined && !life.dead) throw failure;
    await clock.advance(50);
  }
  // A dead node is left as it is (its clock never moves again); a live one is stopped.
  if (!life.dead) {
    const stopped = node.stop();
    await clock.settle();
    await stopped;
  }
  if (!life.dead && result === undefined) {
    throw new Error(`incarnation ${n} neither finished nor crashed (${String(failure)})`);
  }
  return { life, result };
}
