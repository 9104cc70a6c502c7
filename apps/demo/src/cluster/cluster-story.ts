import { type ClusterEvent, PLANNER_NODE, WORKER_NODES } from './node-messages.js';

/** Where one ticket's work stands, as the nodes reported it. */
interface TicketState {
  /** The node its current worker runs on. */
  on: string | undefined;
  /** The last step its current worker finished a tool call in. */
  step: number;
  /** Its current worker has called a tool that writes (the ticket is nearly done). */
  writing: boolean;
  finished: boolean;
}

/**
 * A worker restarted elsewhere after its node was killed, and where it resumed. Its parts come
 * from different nodes, whose events arrive in no set order: each is filled as it comes.
 */
export interface Restart {
  readonly ticket: number;
  /** The node it was lost with. */
  from?: string;
  /** The node its supervisor started it on again. */
  to?: string;
  /** The checkpoint step the new worker resumed from. */
  resumedAt?: number;
}

/** The kill, as the driver made it. */
export interface Kill {
  readonly node: string;
  /** Elapsed real time of the kill, ms. */
  readonly at: number;
  /** The workers it ran then: ticket and step. */
  readonly workers: readonly { readonly ticket: number; readonly step: number }[];
}

/** Tickets resolved before the driver looks for a node to kill: a quarter of the queue. */
const KILL_AFTER = 0.25;
/** Past this share resolved, the busiest worker node is killed whatever its workers are doing. */
const KILL_BY = 0.6;

const WRITES = new Set(['send_reply', 'escalate_refund', 'close_duplicate']);

/**
 * Follows the cluster from its nodes' events: tells the story one line per notable event, keeps
 * where each ticket's worker is, picks the moment and the node to kill (a worker node running at
 * least two workers in the middle of their tickets), and records the restarts that follow.
 */
export class ClusterStory {
  readonly #tickets = new Map<number, TicketState>();
  readonly restarts: Restart[] = [];
  kill: Kill | undefined;
  resolved = 0;
  /** Restarts placed and resumes reported, per ticket, and resume lines held for their news. */
  readonly #placedAgain = new Map<number, number>();
  readonly #resumed = new Map<number, number>();
  readonly #held = new Map<number, string[]>();
  /** Calls a service refused as already applied. */
  repeats = 0;

  constructor(private readonly total: number) {}

  /** Takes one event; returns the lines it tells. */
  handle(event: ClusterEvent): string[] {
    switch (event.kind) {
      case 'peer':
        // One node's view is enough for the story: the planner's.
        if (event.node !== PLANNER_NODE || event.up) return [];
        return [
          `${event.node}: lost its connection to ${event.peer}; links to it break with noconnection`,
        ];
      case 'placed': {
        if (event.attempt === 1) return [`ticket ${event.ticket}: worker started on ${event.on}`];
        this.#restart(event.ticket, 'to').to = event.on;
        this.#placedAgain.set(event.ticket, (this.#placedAgain.get(event.ticket) ?? 0) + 1);
        // The new worker may have said it resumed before this news came from the planner's node.
        const held = this.#held.get(event.ticket)?.shift();
        return [
          `ticket ${event.ticket}: its supervisor on ${event.node} restarts the worker on ${event.on}`,
          ...(held === undefined ? [] : [held]),
        ];
      }
      case 'lost':
        this.#restart(event.ticket, 'from').from = event.on;
        return [
          `ticket ${event.ticket}: the worker on ${event.on} is gone (${event.reason}); its supervisor sees the exit`,
        ];
      case 'started': {
        const state = this.#state(event.ticket);
        state.on = event.node;
        state.writing = false;
        if (!event.resumed) return [];
        this.#restart(event.ticket, 'resumedAt').resumedAt = event.step;
        const text = `ticket ${event.ticket}: the new worker on ${event.node} resumes after step ${event.step}, from its checkpoint in the shared store`;
        const told = this.#resumed.get(event.ticket) ?? 0;
        this.#resumed.set(event.ticket, told + 1);
        if (told < (this.#placedAgain.get(event.ticket) ?? 0)) return [text];
        this.#held.set(event.ticket, [...(this.#held.get(event.ticket) ?? []), text]);
        return [];
      }
      case 'tool': {
        const state = this.#state(event.ticket);
        state.step = Math.max(state.step, event.step);
        if (WRITES.has(event.tool)) state.writing = true;
        return [];
      }
      case 'finished':
        this.#state(event.ticket).finished = true;
        return [];
      case 'resolved': {
        this.resolved++;
        const on = this.#tickets.get(event.ticket)?.on ?? '?';
        return [`ticket ${event.ticket}: done on ${on} [${this.resolved}/${this.total}]`];
      }
      case 'repeat':
        this.repeats++;
        return [
          `ticket ${event.ticket}: ${event.tool} ran again after the crash; the service refused the repeat by its idempotency key`,
        ];
      case 'planner':
        return [`planner: "${event.text}"`];
    }
  }

  /** The ticket's restart that lacks `part`, made if there is none. */
  #restart(ticket: number, part: 'from' | 'to' | 'resumedAt'): Restart {
    let restart = this.restarts.find((r) => r.ticket === ticket && r[part] === undefined);
    if (restart === undefined) {
      restart = { ticket };
      this.restarts.push(restart);
    }
    return restart;
  }

  /**
   * The node to kill now, if this is the moment: once a quarter of the tickets are done, a
   * worker node whose two or more workers are each past their first tool call and not yet
   * writing (so they will be cut off mid-ticket); past 60%, the busiest worker node.
   */
  victim(dead: ReadonlySet<string>): Kill | undefined {
    if (this.kill !== undefined || this.resolved < this.total * KILL_AFTER) return undefined;
    let best: Kill | undefined;
    for (const node of WORKER_NODES) {
      if (dead.has(node)) continue;
      const running = this.#running(node);
      const midway = running.filter((w) => w.step >= 1 && !w.writing);
      const enough = midway.length >= 2 || this.resolved >= this.total * KILL_BY;
      if (
        enough &&
        running.length >= 2 &&
        (best === undefined || running.length > best.workers.length)
      )
        best = {
          node,
          at: 0,
          workers: running.map(({ ticket, step }) => ({ ticket, step })),
        };
    }
    return best;
  }

  #running(node: string): { ticket: number; step: number; writing: boolean }[] {
    const out: { ticket: number; step: number; writing: boolean }[] = [];
    for (const [ticket, s] of this.#tickets)
      if (s.on === node && !s.finished) out.push({ ticket, step: s.step, writing: s.writing });
    return out;
  }

  #state(ticket: number): TicketState {
    let state = this.#tickets.get(ticket);
    if (state === undefined) {
      state = { on: undefined, step: 0, writing: false, finished: false };
      this.#tickets.set(ticket, state);
    }
    return state;
  }
}
