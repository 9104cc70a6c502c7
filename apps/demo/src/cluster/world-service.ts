import { defineActor, reply } from '@warden/core';
import type { Effect, World } from '../world.js';

/** What a worker's tool asks of the world: the tool, its validated input, its idempotency key. */
export interface ServiceRequest {
  readonly tool: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly key: string;
  /** The ticket the calling worker works on (its thread's). */
  readonly ticket: number;
  /** The node the call came from (for the story). */
  readonly from: string;
}

/** One call as the world's services logged it: what reached the outside world, and how often. */
export interface ServiceCall {
  readonly tool: string;
  readonly ticket: number;
  readonly key: string;
  readonly from: string;
  /** `applied`: an effect happened; `repeat`: refused as already applied; `read`; `error`. */
  readonly outcome: 'applied' | 'repeat' | 'read' | 'error';
}

export type ServiceAnswer =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: string };

/** Which service each writing tool calls. */
const WRITES: Readonly<Record<string, Effect['service']>> = {
  send_reply: 'mail',
  escalate_refund: 'refunds',
  close_duplicate: 'tickets',
};

/**
 * The outside world of the cluster demo as one process on the planner's node: the ticket
 * database, the customer records, the mail service and the refunds desk. Workers on other nodes
 * reach it through their tools, so what it applied survives any worker node. Its writes are
 * deduplicated by idempotency key, as a payment or mail API's are, and it logs every call it
 * receives: that log is the witness the summary checks the effect journal against.
 */
export function worldService(world: World, onRepeat: (call: ServiceCall) => void) {
  const calls: ServiceCall[] = [];
  const behaviour = defineActor<null, void, unknown>({
    init: () => null,
    handleCall: (request, _from, state) => {
      const answer = serve(request);
      return reply(answer, state);
    },
  });
  return { behaviour, calls };

  function serve(raw: unknown): ServiceAnswer {
    if (!isServiceRequest(raw)) return { ok: false, error: 'malformed service request' };
    const { tool, input, key, from, ticket } = raw;
    const log = (outcome: ServiceCall['outcome']) => {
      const call = { tool, ticket, key, from, outcome };
      calls.push(call);
      return call;
    };
    const service = WRITES[tool];
    if (service !== undefined) {
      const target = Number(input.ticket);
      if (world.ticket(target) === undefined) {
        log('error');
        return { ok: false, error: `no ticket ${String(input.ticket)}` };
      }
      const applied = world.apply(service, target, key, calls.length);
      const call = log(applied ? 'applied' : 'repeat');
      if (!applied) onRepeat(call);
      return { ok: true, value: { ok: true, duplicate: !applied } };
    }
    if (tool === 'read_ticket') {
      const found = world.ticket(Number(input.id));
      log(found === undefined ? 'error' : 'read');
      return found === undefined
        ? { ok: false, error: `no ticket ${String(input.id)}` }
        : { ok: true, value: { ...found, attachmentPages: 0 } };
    }
    if (tool === 'lookup_customer') {
      const customer = world.customers.get(Number(input.id));
      log(customer === undefined ? 'error' : 'read');
      return customer === undefined
        ? { ok: false, error: `no customer ${String(input.id)}` }
        : { ok: true, value: customer };
    }
    log('error');
    return { ok: false, error: `no service answers ${tool}` };
  }
}

function isServiceRequest(value: unknown): value is ServiceRequest {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.tool === 'string' &&
    typeof v.key === 'string' &&
    typeof v.from === 'string' &&
    typeof v.ticket === 'number' &&
    typeof v.input === 'object' &&
    v.input !== null
  );
}
