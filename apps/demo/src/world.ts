import { seededRandom } from '@warden/agents/testing';

/** A support ticket of the demo's small local world. */
export interface Ticket {
  readonly id: number;
  readonly customerId: number;
  readonly subject: string;
  readonly body: string;
  /** A refund asked for, in dollars (0: none). */
  readonly refund: number;
  /** The ticket this one repeats, if it is a duplicate. */
  readonly duplicateOf: number | undefined;
}

export interface Customer {
  readonly id: number;
  readonly name: string;
  readonly plan: 'free' | 'pro' | 'enterprise';
}

/** What happened to a ticket, as the services saw it. */
export type Resolution = 'replied' | 'escalated' | 'closed-duplicate';

/** One effect a service applied: what the summary counts and the invariants check. */
export interface Effect {
  readonly service: 'mail' | 'refunds' | 'tickets';
  readonly ticket: number;
  readonly key: string;
  readonly at: number;
}

const SUBJECTS = [
  'Charged twice this month',
  'Cannot log in after password reset',
  'Refund for the annual plan',
  'Invoice shows the wrong address',
  'Export to CSV times out',
];
const NAMES = ['Ada', 'Grace', 'Alan', 'Barbara', 'Edsger', 'Margaret', 'Ken', 'Radia'];

/**
 * The local world the demo's tools act on: 20 tickets and their customers (made from the seed),
 * a mail service and a refunds desk. The services deduplicate by idempotency key, as a real
 * payment or mail API does: a call retried with the same key applies once. Everything they
 * applied is recorded, so the demo can prove nothing was lost and nothing done twice.
 */
export class World {
  readonly tickets: readonly Ticket[];
  readonly customers: ReadonlyMap<number, Customer>;
  readonly effects: Effect[] = [];
  /** Tables of the "production" database that an irreversible call purged (must stay empty). */
  readonly purged: string[] = [];
  /** Calls that a service refused as already applied (same idempotency key). */
  deduplicated = 0;
  /** Told of each call a service refused as already applied. */
  onDuplicate: ((ticket: number) => void) | undefined;
  readonly #applied = new Set<string>();

  constructor(seed: number, count = 20) {
    const random = seededRandom(seed);
    const customers = new Map<number, Customer>();
    for (let i = 1; i <= 8; i++) {
      const plans = ['free', 'pro', 'enterprise'] as const;
      customers.set(i, {
        id: i,
        name: NAMES[i - 1] as string,
        plan: plans[i % 3] as Customer['plan'],
      });
    }
    const tickets: Ticket[] = [];
    for (let id = 1; id <= count; id++) {
      const subject = SUBJECTS[Math.floor(random() * SUBJECTS.length)] as string;
      const refund =
        subject.startsWith('Refund') || subject.startsWith('Charged')
          ? Math.round(50 + random() * 900)
          : 0;
      const duplicateOf = id > 3 && random() < 0.15 ? Math.ceil(random() * (id - 1)) : undefined;
      tickets.push({
        id,
        customerId: 1 + Math.floor(random() * 8),
        subject,
        body: `${subject}. Ticket ${id}. Please help.`,
        refund,
        duplicateOf,
      });
    }
    this.tickets = tickets;
    this.customers = customers;
  }

  ticket(id: number): Ticket | undefined {
    return this.tickets.find((t) => t.id === id);
  }

  /** Applies an effect once per idempotency key; returns whether it was applied now. */
  apply(service: Effect['service'], ticket: number, key: string, at: number): boolean {
    if (this.#applied.has(key)) {
      this.deduplicated++;
      this.onDuplicate?.(ticket);
      return false;
    }
    this.#applied.add(key);
    this.effects.push({ service, ticket, key, at });
    return true;
  }

  /** The production database's irreversible purge: it happens only if the runtime lets it. */
  purge(table: string): void {
    this.purged.push(table);
  }

  /** How each ticket ended, by the effects applied to it. */
  resolutions(): Map<number, Resolution[]> {
    const out = new Map<number, Resolution[]>();
    for (const e of this.effects) {
      const list = out.get(e.ticket) ?? [];
      list.push(
        e.service === 'mail'
          ? 'replied'
          : e.service === 'refunds'
            ? 'escalated'
            : 'closed-duplicate',
      );
      out.set(e.ticket, list);
    }
    return out;
  }
}
