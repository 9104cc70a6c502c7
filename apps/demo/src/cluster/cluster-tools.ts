import { type AnyTool, CapabilitySet, defineTool, type ToolContext } from '@warden/agents';
import type { Pid } from '@warden/core';
import { z } from 'zod';
import { ticketOf } from './node-messages.js';
import type { ServiceAnswer, ServiceRequest } from './world-service.js';

/** How long a tool waits for the world's services before the call fails (node clock, ms). */
const SERVICE_TIMEOUT_MS = 5_000;

/**
 * What a worker may do, wherever it runs: the planner's node sends it with every start, and each
 * worker node's agent host bounds it by the same set as its ceiling.
 */
export const WORKER_RIGHTS = CapabilitySet.of([
  { tools: ['read_ticket', 'lookup_customer'], upTo: 'read' },
  { tools: ['send_reply', 'escalate_refund', 'close_duplicate'], upTo: 'write' },
]);

/**
 * The workers' tools of the cluster demo: the same tools as on one node, but the world they act
 * on is a service on another node, reached over the cluster. Every call carries the runtime's
 * idempotency key, so a call run again after its worker's node died applies once.
 */
export function clusterTools(world: () => Pid): AnyTool[] {
  const ask = async (tool: string, input: Record<string, unknown>, ctx: ToolContext) => {
    const request: ServiceRequest = {
      tool,
      input,
      key: ctx.idempotencyKey,
      ticket: ticketOf(ctx.threadId) ?? 0,
      from: ctx.node.name,
    };
    const timeout = Math.max(1, Math.min(SERVICE_TIMEOUT_MS, ctx.deadline - ctx.now()));
    const answer = await ctx.node.call<ServiceAnswer>(world(), request, {
      timeout,
      signal: ctx.signal,
    });
    if (!answer.ok) throw new Error(answer.error);
    return answer.value;
  };
  const read = (name: string, description: string, input: z.ZodType<Record<string, unknown>>) =>
    defineTool({
      name,
      description,
      effect: 'read',
      idempotent: true,
      input,
      run: (args, ctx) => ask(name, args, ctx),
    });
  const write = (name: string, description: string, input: z.ZodType<Record<string, unknown>>) =>
    defineTool({
      name,
      description,
      effect: 'write',
      // The service deduplicates by the idempotency key: a call run again applies once.
      idempotent: true,
      input,
      run: (args, ctx) => ask(name, args, ctx),
    });
  return [
    read('read_ticket', 'Reads a support ticket by id', z.object({ id: z.number().int().min(1) })),
    read('lookup_customer', 'Looks a customer up by id', z.object({ id: z.number().int().min(1) })),
    write(
      'send_reply',
      'Emails the customer a reply',
      z.object({ ticket: z.number().int(), text: z.string().max(2000) }),
    ),
    write(
      'escalate_refund',
      'Sends a refund to the refunds desk',
      z.object({ ticket: z.number().int(), amount: z.number() }),
    ),
    write(
      'close_duplicate',
      'Closes a ticket as a duplicate',
      z.object({ ticket: z.number().int(), of: z.number().int() }),
    ),
  ];
}
