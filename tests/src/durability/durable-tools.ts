import { defineTool, type ModelRequest, type PolicyOptions } from '@warden/agents';
import { z } from 'zod';

/** One tool call the scripted model plans. */
export interface PlannedCall {
  readonly tool: 'read_ticket' | 'send_mail' | 'refund';
  readonly id: number;
}

export type Plan = readonly (readonly PlannedCall[])[];

/**
 * The world outside the store, where effects land: a mail provider that deduplicates by
 * idempotency key (as real ones do), and a payment system that does not (each refund it receives
 * is money out).
 */
export interface EffectSink {
  /** Records an effect as it lands; a promise keeps the call running after it (a slow answer). */
  effect(kind: 'read' | 'mail' | 'refund', key: string): void | Promise<void>;
}

/** A read, an idempotent write and an irreversible, non-idempotent refund (a person approves it). */
export function durableTools(sink: EffectSink) {
  return [
    defineTool({
      name: 'read_ticket',
      description: 'reads a ticket',
      effect: 'read',
      idempotent: true,
      input: z.object({ id: z.number().int() }),
      run: ({ id }, ctx) => {
        sink.effect('read', ctx.idempotencyKey);
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
        sink.effect('mail', ctx.idempotencyKey);
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
      run: async (_input, ctx) => {
        await sink.effect('refund', ctx.idempotencyKey);
        return 'refunded';
      },
    }),
  ];
}

export const REFUNDS_ASK: PolicyOptions = {
  rules: [{ id: 'refunds-ask', tools: ['refund'], decision: 'ask' }],
};

/** The model plans step k as `plan[k]` (k = assistant turns so far), then answers. */
export function plannerScript(plan: Plan) {
  return (request: ModelRequest) => {
    const k = request.messages.filter((m) => m.role === 'assistant').length;
    const calls = plan[k];
    if (calls === undefined) return { text: `handled ${plan.length} steps` };
    return { toolCalls: calls.map((c) => ({ name: c.tool, input: { id: c.id } })) };
  };
}
