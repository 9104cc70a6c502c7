import type { ApprovalStore } from './approval-store.js';

/** The exact call an approval is for. */
export interface ApprovalBinding {
  /** The agent type (its spec name). */
  readonly agent: string;
  readonly tool: string;
  /** `canonicalHash` of the validated arguments: another argument is another call. */
  readonly argsHash: string;
  /** The resources the call touches, sorted and joined by `\n` (empty when it declares none). */
  readonly resource: string;
}

/**
 * An approval: one call (the binding), one use (the nonce, consumed when the call runs), until
 * `expiresAt` on the node's clock, by `approver`. It is data a person's decision produced; the
 * gate trusts it only after finding the same record in its `ApprovalStore`.
 */
export interface Approval extends ApprovalBinding {
  /** The request it answers, or `standing` for one granted before the call was made. */
  readonly requestId: string;
  readonly nonce: string;
  readonly approver: string;
  readonly expiresAt: number;
}

export type ApprovalCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: 'forged' | 'self-approved' | 'expired' | 'other-call' | 'replayed';
    };

/** Who asks for approval when an agent calls: never a valid approver of its own calls. */
export function requesterOf(agent: string): string {
  return `agent:${agent}`;
}

export function resourceOf(scopes: readonly string[]): string {
  return [...scopes].sort().join('\n');
}

/**
 * Checks an approval presented for a call and, if it holds, consumes its nonce (compare-and-set
 * in the store, so two calls racing for one approval get it once). In order: the store must hold
 * the same record (else forged), the approver must not be the requester, it must not have
 * expired, it must bind this exact call, and its nonce must be unused (else replayed).
 */
export async function checkApproval(
  store: ApprovalStore,
  presented: Approval,
  binding: ApprovalBinding,
  now: number,
): Promise<ApprovalCheck> {
  const issued =
    typeof presented?.nonce === 'string' ? await store.get(presented.nonce) : undefined;
  if (issued === undefined || !sameApproval(issued, presented)) return refuse('forged');
  if (issued.approver === requesterOf(binding.agent) || issued.approver === binding.agent) {
    return refuse('self-approved');
  }
  if (now >= issued.expiresAt) return refuse('expired');
  if (
    issued.agent !== binding.agent ||
    issued.tool !== binding.tool ||
    issued.argsHash !== binding.argsHash ||
    issued.resource !== binding.resource
  ) {
    return refuse('other-call');
  }
  if (!(await store.consume(issued.nonce))) return refuse('replayed');
  return { ok: true };
}

function sameApproval(a: Approval, b: Approval): boolean {
  return (
    a.requestId === b.requestId &&
    a.nonce === b.nonce &&
    a.approver === b.approver &&
    a.expiresAt === b.expiresAt &&
    a.agent === b.agent &&
    a.tool === b.tool &&
    a.argsHash === b.argsHash &&
    a.resource === b.resource
  );
}

function refuse(reason: Exclude<ApprovalCheck, { ok: true }>['reason']): ApprovalCheck {
  return { ok: false, reason };
}
