import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '@warden/core';
import { canonicalHash } from '../canonical/canonical-json.js';
import type { TaskSignal } from '../tools/task-signal.js';
import type { Effect } from '../tools/tool.js';
import { type Approval, requesterOf, resourceOf } from './approval.js';
import { type ApprovalStore, MemoryApprovalStore } from './approval-store.js';
import { GovernanceError } from './governance-error.js';

/**
 * What a request asks: `call`, may this call run; `unknown_outcome`, this call (or an identical
 * one before it) was interrupted while it ran and may have happened: may it run again?
 */
export type ApprovalKind = 'call' | 'unknown_outcome';

/** A call waiting for a person, as the operator API lists it. */
export interface ApprovalRequest {
  readonly id: string;
  readonly kind: ApprovalKind;
  /** What to tell the person beside the call (set for an `unknown_outcome`). */
  readonly reason: string | undefined;
  /** The journal key of the call whose outcome is unknown (for an `unknown_outcome`). */
  readonly interrupted: string | undefined;
  readonly agent: string;
  readonly threadId: string;
  readonly tool: string;
  readonly effect: Effect;
  /** The validated arguments, for the person to read (render as text, never as markup). */
  readonly input: unknown;
  readonly argsHash: string;
  readonly resource: string;
  /** The policy rule that sent it to a person. */
  readonly rule: string;
  readonly requester: string;
  readonly requestedAt: number;
  /** Node-clock time after which the request is denied (fail closed). */
  readonly deadline: number;
}

export type ApprovalAnswer =
  | { readonly kind: 'approval'; readonly approval: Approval }
  | { readonly kind: 'denied'; readonly by: string; readonly reason: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'withdrawn' };

/** What the gate files; `kind` defaults to `call`. */
export type NewApprovalRequest = Omit<
  ApprovalRequest,
  'id' | 'kind' | 'reason' | 'interrupted' | 'requester' | 'requestedAt' | 'deadline'
> & {
  readonly kind?: ApprovalKind;
  readonly reason?: string;
  readonly interrupted?: string;
};

export interface ApprovalDeskOptions {
  readonly clock: Clock;
  /** Default: in memory, owned by this desk. */
  readonly store?: ApprovalStore;
  /** How long a request waits for a person before it is denied; default 5 minutes. */
  readonly timeoutMs?: number;
  /** How long an approval stays valid once given; default 5 minutes. */
  readonly ttlMs?: number;
}

export const APPROVAL_DESK_DEFAULTS = Object.freeze({ timeoutMs: 300_000, ttlMs: 300_000 });

interface Waiting {
  readonly request: ApprovalRequest;
  readonly settle: (answer: ApprovalAnswer) => void;
}

/**
 * The human approvers' side of the gate, and the operator API a dashboard uses: `pending()` lists
 * the calls waiting, `approve` and `deny` answer one, `grant` approves an exact call before it is
 * made. Every request has a deadline on the node's clock; nobody answering by then is a denial.
 * The desk hands answers to the waiting gate; it is the gate that checks an approval against the
 * store and consumes it, so an approval the desk never issued, or issued for another call, or
 * used before, does not run anything.
 */
export class ApprovalDesk {
  readonly store: ApprovalStore;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #ttlMs: number;
  readonly #waiting = new Map<string, Waiting>();
  #next = 0;

  constructor(options: ApprovalDeskOptions) {
    if (typeof options?.clock?.now !== 'function') invalid('clock', options?.clock, 'a Clock');
    this.#clock = options.clock;
    this.store = options.store ?? new MemoryApprovalStore();
    this.#timeoutMs = positive('timeoutMs', options.timeoutMs ?? APPROVAL_DESK_DEFAULTS.timeoutMs);
    this.#ttlMs = positive('ttlMs', options.ttlMs ?? APPROVAL_DESK_DEFAULTS.ttlMs);
  }

  /** The requests waiting for a person, oldest first. */
  pending(): readonly ApprovalRequest[] {
    return [...this.#waiting.values()].map((w) => w.request);
  }

  /**
   * Approves a waiting request: issues an approval bound to its exact call and hands it to the
   * gate. `ERR_UNKNOWN_REQUEST` for a request that is not waiting (answered, timed out,
   * withdrawn), `ERR_SELF_APPROVAL` when the approver is the requester.
   */
  async approve(
    id: string,
    by: { readonly approver: string; readonly ttlMs?: number },
  ): Promise<Approval> {
    const waiting = this.#find(id);
    checkApprover(by.approver, waiting.request.agent);
    const request = waiting.request;
    const approval = await this.#issue({
      requestId: id,
      agent: request.agent,
      tool: request.tool,
      argsHash: request.argsHash,
      resource: request.resource,
      approver: by.approver,
      ttlMs: by.ttlMs,
    });
    // Issued while the gate waited; still waiting? (a deadline may have passed meanwhile)
    if (this.#waiting.get(id) === waiting) waiting.settle({ kind: 'approval', approval });
    return approval;
  }

  /** Denies a waiting request; the agent is told, with the reason. */
  deny(id: string, by: { readonly approver: string; readonly reason?: string }): void {
    const waiting = this.#find(id);
    if (typeof by?.approver !== 'string' || by.approver === '') {
      invalid('approver', by?.approver, 'a name');
    }
    waiting.settle({
      kind: 'denied',
      by: `person:${by.approver}`,
      reason: by.reason ?? `denied by ${by.approver}`,
    });
  }

  /** Hands an approval obtained elsewhere (another desk, a peer) to a waiting request; the gate checks it. */
  present(id: string, approval: Approval): void {
    this.#find(id).settle({ kind: 'approval', approval });
  }

  /**
   * Approves an exact call before it is made (a change ticket): the agent's call with these
   * validated arguments on these resources runs once, within `ttlMs`, without waiting.
   */
  grant(call: {
    readonly agent: string;
    readonly tool: string;
    readonly input: unknown;
    readonly scopes?: readonly string[];
    readonly approver: string;
    readonly ttlMs?: number;
  }): Promise<Approval> {
    checkApprover(call.approver, call.agent);
    return this.#issue({
      requestId: 'standing',
      agent: call.agent,
      tool: call.tool,
      argsHash: canonicalHash(call.input),
      resource: resourceOf(call.scopes ?? []),
      approver: call.approver,
      ttlMs: call.ttlMs,
    });
  }

  /**
   * What the gate calls: files a request and resolves with its answer, a denial at the deadline,
   * or `withdrawn` when `signal` aborts (the task was cancelled or the agent died).
   */
  ask(
    request: NewApprovalRequest,
    signal: TaskSignal,
  ): { readonly id: string; readonly answer: Promise<ApprovalAnswer> } {
    const id = `apr-${++this.#next}-${randomBytes(4).toString('hex')}`;
    const now = this.#clock.now();
    const filed: ApprovalRequest = Object.freeze({
      ...request,
      id,
      kind: request.kind ?? 'call',
      reason: request.reason,
      interrupted: request.interrupted,
      requester: requesterOf(request.agent),
      requestedAt: now,
      deadline: now + this.#timeoutMs,
    });
    const answer = new Promise<ApprovalAnswer>((resolve) => {
      let timer: TimerHandle | undefined;
      const settle = (a: ApprovalAnswer) => {
        if (this.#waiting.get(id)?.settle !== settle) return;
        this.#waiting.delete(id);
        if (timer !== undefined) this.#clock.clearTimer(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(a);
      };
      const onAbort = () => settle({ kind: 'withdrawn' });
      this.#waiting.set(id, { request: filed, settle });
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      timer = this.#clock.setTimer(this.#timeoutMs, () => settle({ kind: 'timeout' }));
    });
    return { id, answer };
  }

  #find(id: string): Waiting {
    const waiting = this.#waiting.get(id);
    if (waiting === undefined) {
      throw new GovernanceError('ERR_UNKNOWN_REQUEST', `no approval request ${id} is waiting`);
    }
    return waiting;
  }

  async #issue(
    fields: Omit<Approval, 'nonce' | 'expiresAt'> & { ttlMs?: number | undefined },
  ): Promise<Approval> {
    const { ttlMs, ...binding } = fields;
    const ttl = positive('ttlMs', ttlMs ?? this.#ttlMs);
    const approval: Approval = Object.freeze({
      ...binding,
      nonce: randomBytes(16).toString('hex'),
      expiresAt: this.#clock.now() + ttl,
    });
    await this.store.issue(approval);
    return approval;
  }
}

function checkApprover(approver: unknown, agent: string): void {
  if (typeof approver !== 'string' || approver === '') invalid('approver', approver, 'a name');
  if (approver === agent || approver === requesterOf(agent)) {
    throw new GovernanceError(
      'ERR_SELF_APPROVAL',
      `${approver} requested this call and cannot approve it`,
    );
  }
}

function positive(field: string, value: unknown): number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
    invalid(field, value, 'a number > 0');
  }
  return value as number;
}

function invalid(field: string, value: unknown, expected: string): never {
  throw new GovernanceError(
    'ERR_INVALID_OPTION',
    `invalid approval ${field}: ${String(value)} (expected ${expected})`,
    { field },
  );
}
