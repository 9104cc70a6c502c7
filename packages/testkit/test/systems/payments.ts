/**
 * A payments service: a `payments` server charges a bank for each order, asks an approver first
 * for amounts of 100 or more (an irreversible charge), and keeps a journal that outlives its
 * process, so that a charge retried after a crash is not made twice. Clients retry until they
 * get an answer. Each bug is one a real payments service has shipped.
 */
import {
  type CallRequest,
  defineActor,
  type Node,
  noreply,
  type Pid,
  reply,
  startSupervisor,
} from '@warden/core';
import {
  approvedIrreversible,
  faultSchedule,
  type Invariant,
  noDuplicateEffects,
  nothingLost,
  type Setup,
  type Simulation,
} from '../../src/index.js';
import { patientCall, schedule } from './client.js';

export type PaymentsBug =
  | 'journal-after-effect'
  | 'temporary-restart'
  | 'approval-skipped-on-retry';

interface Pay {
  readonly pay: string;
  readonly amount: number;
  readonly attempt: number;
}

/** What lives outside the processes: the bank, the journal and the approver's decisions. */
class World {
  readonly journal = new Map<string, 'intent' | 'done'>();
  readonly charged = new Set<string>();
  constructor(
    readonly sim: Simulation,
    readonly node: Node,
  ) {}

  /** The bank applies a charge as soon as it gets it, and answers 200 ms later. */
  charge(id: string, amount: number, replyTo: Pid): void {
    this.charged.add(id);
    this.sim.effects.record({ tool: 'charge', key: `charge:${id}`, irreversible: amount >= 100 });
    this.node.clock.setTimer(200, () => this.node.send(replyTo, { charged: id }));
  }
}

interface State {
  readonly world: World;
  readonly bug: PaymentsBug | undefined;
  readonly inflight: Map<string, { waiters: CallRequest[]; amount: number; approving: boolean }>;
}

function startCharge(state: State, id: string, amount: number, self: Pid): void {
  if (state.bug !== 'journal-after-effect') state.world.journal.set(id, 'intent');
  state.world.charge(id, amount, self);
}

const payments = defineActor<State, { world: World; bug: PaymentsBug | undefined }>({
  init: ({ world, bug }) => ({ world, bug, inflight: new Map() }),
  handleCall: (req: Pay, from, state, ctx) => {
    const { world } = state;
    const id = req.pay;
    if (world.journal.get(id) === 'done') return reply(true, state);
    const inflight = state.inflight.get(id);
    if (inflight !== undefined) {
      inflight.waiters.push(from);
      // the approver may have lost the first request (it restarts with nothing): ask again
      if (inflight.approving) ctx.send('approver', { approve: id, replyTo: ctx.self });
      return noreply(state);
    }
    if (world.journal.get(id) === 'intent' && world.charged.has(id)) {
      // a charge made by an earlier incarnation: the bank has it, record it and answer
      world.journal.set(id, 'done');
      return reply(true, state);
    }
    const checkApproval = state.bug !== 'approval-skipped-on-retry' || req.attempt === 1;
    const approving =
      req.amount >= 100 && checkApproval && !world.sim.effects.isApproved(`charge:${id}`);
    state.inflight.set(id, { waiters: [from], amount: req.amount, approving });
    if (approving) {
      ctx.send('approver', { approve: id, replyTo: ctx.self });
    } else {
      startCharge(state, id, req.amount, ctx.self);
    }
    return noreply(state);
  },
  handleInfo: (msg: { approved?: string; charged?: string }, state, ctx) => {
    if (msg.approved !== undefined) {
      const pending = state.inflight.get(msg.approved);
      if (pending?.approving !== true) return state;
      pending.approving = false;
      startCharge(state, msg.approved, pending.amount, ctx.self);
    } else if (msg.charged !== undefined) {
      state.world.journal.set(msg.charged, 'done');
      for (const w of state.inflight.get(msg.charged)?.waiters ?? []) ctx.reply(w, true);
      state.inflight.delete(msg.charged);
    }
    return state;
  },
});

/** A human approves each charge 300 ms after being asked. */
const approver = defineActor<World, World>({
  init: (world) => world,
  handleInfo: (msg: { approve: string; replyTo: Pid }, world, ctx) => {
    ctx.node.clock.setTimer(300, () => {
      world.sim.effects.approve(`charge:${msg.approve}`);
      world.node.send(msg.replyTo, { approved: msg.approve });
    });
    return world;
  },
});

export function paymentsSystem(bug?: PaymentsBug): {
  setup: Setup;
  faults: ReturnType<typeof faultSchedule>;
  invariants: Invariant[];
} {
  const setup: Setup = async (sim) => {
    const node = sim.node('pay');
    const world = new World(sim, node);
    await startSupervisor(node, {
      strategy: 'one_for_one',
      intensity: 50,
      period: 10_000,
      children: [
        {
          id: 'approver',
          start: {
            behaviour: sim.actor('approver', approver),
            args: world,
            options: { name: 'approver' },
          },
        },
        {
          id: 'payments',
          restart: bug === 'temporary-restart' ? 'temporary' : 'permanent',
          start: {
            behaviour: sim.actor('payments', payments),
            args: { world, bug },
            options: { name: 'payments' },
          },
        },
      ],
    });
    schedule(node, 8, 500, 1_500, (i) => {
      const id = `order-${i}`;
      void patientCall(
        sim,
        node,
        id,
        'payments',
        (attempt) => ({ pay: id, amount: i % 3 === 0 ? 50 : 150, attempt }),
        {
          attempts: 30,
          pauseMs: 1_000,
          timeoutMs: 3_000,
        },
      );
    });
  };
  return {
    setup,
    faults: faultSchedule({
      names: ['payments', 'approver'],
      labels: ['payments', 'approver'],
      kinds: ['crash', 'crash-on-message', 'slow', 'clock-jump'],
      randomCrashes: false,
      horizonMs: 15_000,
      maxFaults: 8,
      maxNth: 24,
      maxDurationMs: 3_000,
    }),
    invariants: [nothingLost(), noDuplicateEffects(), approvedIrreversible()],
  };
}
