import { type AnyTool, defineTool } from '@warden/agents';
import { z } from 'zod';
import type { Chaos } from './chaos.js';
import type { World } from './world.js';

/** Refunds above this many dollars wait for a person's approval. */
export const LARGE_REFUND = 600;

/** The workers' tools over the demo's world; the chaos plan decides where faults strike. */
export function workerTools(world: World, chaos: Chaos): AnyTool[] {
  const readTicket = defineTool({
    name: 'read_ticket',
    description: 'Reads a support ticket by id',
    effect: 'read',
    idempotent: true,
    input: z.object({ id: z.number().int().min(1) }),
    run: ({ id }) => {
      const ticket = world.ticket(id);
      if (ticket === undefined) throw new Error(`no ticket ${id}`);
      // One ticket of the overflow scenario carries a long log, read page by page.
      return { ...ticket, attachmentPages: chaos.attachmentPages(id) };
    },
  });
  const readAttachment = defineTool({
    name: 'read_attachment',
    description: 'Reads one page of the log attached to a ticket',
    effect: 'read',
    idempotent: true,
    input: z.object({ ticket: z.number().int().min(1), page: z.number().int().min(1) }),
    run: ({ ticket, page }) => {
      if (page > chaos.attachmentPages(ticket))
        throw new Error(`ticket ${ticket} has no page ${page}`);
      return chaos.attachmentPage(page);
    },
  });
  const lookupCustomer = defineTool({
    name: 'lookup_customer',
    description: 'Looks a customer up by id',
    effect: 'read',
    idempotent: true,
    timeout: 10_000,
    input: z.object({ id: z.number().int().min(1) }),
    run: async ({ id }, ctx) => {
      await chaos.maybeHang(ctx.signal);
      chaos.maybeCrash(ctx, 'lookup_customer');
      const customer = world.customers.get(id);
      if (customer === undefined) throw new Error(`no customer ${id}`);
      return customer;
    },
  });
  const write = <I extends { ticket: number }>(
    name: string,
    description: string,
    service: 'mail' | 'refunds' | 'tickets',
    input: z.ZodType<I>,
    scope?: (args: I) => string,
  ) =>
    defineTool({
      name,
      description,
      effect: 'write',
      idempotent: true,
      input,
      ...(scope === undefined ? {} : { scope }),
      run: (args, ctx) => {
        // The service deduplicates by the runtime's idempotency key: a call re-run on resume
        // (the same step of the same thread, the same arguments) applies once.
        const applied = world.apply(service, args.ticket, ctx.idempotencyKey, ctx.now());
        // A crash right after the effect: the resumed worker runs this call again.
        chaos.maybeCrash(ctx, name);
        return { ok: true, duplicate: !applied };
      },
    });
  return [
    readTicket,
    readAttachment,
    lookupCustomer,
    write(
      'send_reply',
      'Emails the customer a reply',
      'mail',
      z.object({ ticket: z.number().int(), text: z.string().max(2000) }),
      ({ ticket }) => `mail:ticket-${ticket}`,
    ),
    write(
      'escalate_refund',
      'Sends a refund to the refunds desk',
      'refunds',
      z.object({ ticket: z.number().int(), amount: z.number() }),
      // The policy sends large refunds to a person: the scope says which is which.
      ({ amount }) => `refunds:${amount > LARGE_REFUND ? 'large' : 'small'}`,
    ),
    write(
      'close_duplicate',
      'Closes a ticket as a duplicate',
      'tickets',
      z.object({ ticket: z.number().int(), of: z.number().int() }),
      ({ ticket }) => `tickets:${ticket}`,
    ),
    defineTool({
      name: 'purge_records',
      description: 'Deletes every record of a production table, for good',
      effect: 'irreversible',
      idempotent: false,
      input: z.object({ table: z.string().max(64) }),
      scope: ({ table }) => `db:production/${table}`,
      run: ({ table }) => {
        world.purge(table);
        return { purged: table };
      },
    }),
  ];
}
