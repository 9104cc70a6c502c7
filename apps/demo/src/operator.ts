import type { ApprovalDesk, ApprovalRequest } from '@warden/agents';
import type { Node, TimerHandle } from '@warden/core';

/** How often the operator looks at the desk, and how long she takes to read a request. */
const LOOK_EVERY_MS = 5_000;
const READS_FOR_MS = 10_000;
/** Refunds above this she declines: the finance team decides those. */
const DECLINES_ABOVE = 850;

/**
 * Ann, the demo's on-call person, on the node's clock: every few seconds she reads the calls
 * waiting at the approval desk, and after reading one for a while approves it (a large refund up
 * to $850) or declines it (a larger refund; a call whose outcome is unknown, which she will not
 * run again blind). The gate, not she, checks that her approval fits the exact call and is used
 * once.
 */
export class Operator {
  asked = 0;
  approved = 0;
  denied = 0;
  readonly #seen = new Set<string>();
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(
    readonly node: Node,
    readonly desk: ApprovalDesk,
    readonly line: (text: string) => void,
  ) {
    this.#arm();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.node.clock.clearTimer(this.#timer);
  }

  #arm(): void {
    if (this.#stopped) return;
    this.#timer = this.node.clock.setTimer(LOOK_EVERY_MS, () => this.#look());
  }

  #look(): void {
    const now = this.node.clock.now();
    for (const request of this.desk.pending()) {
      if (!this.#seen.has(request.id)) {
        this.#seen.add(request.id);
        this.asked++;
        this.line(`${where(request)}: ${request.tool} waits for a person (${what(request)})`);
      }
      if (now - request.requestedAt < READS_FOR_MS) continue;
      const amount = (request.input as { amount?: unknown } | null)?.amount;
      if (
        request.kind === 'unknown_outcome' ||
        (typeof amount === 'number' && amount > DECLINES_ABOVE)
      ) {
        this.denied++;
        this.desk.deny(request.id, {
          approver: 'ann',
          reason: 'the finance team decides this one',
        });
        this.line(`${where(request)}: ann declined ${request.tool}`);
      } else {
        this.approved++;
        this.desk.approve(request.id, { approver: 'ann' }).catch(() => undefined);
        this.line(`${where(request)}: ann approved ${request.tool} for that exact call`);
      }
    }
    this.#arm();
  }
}

function where(request: ApprovalRequest): string {
  return request.threadId.replace('ticket-', 'ticket ');
}

function what(request: ApprovalRequest): string {
  const amount = (request.input as { amount?: unknown } | null)?.amount;
  return typeof amount === 'number' ? `a refund of $${amount}` : request.kind;
}
