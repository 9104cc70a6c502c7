import { checkApproval } from './approval.js';
import type { ApprovalDesk } from './approval-desk.js';
import type { AuditKind } from './audit-log.js';
import type { EffectEntry, EffectState } from './effect-journal.js';
import { bindingOf, type GateCall, type GateHooks } from './gate-call.js';
import type { Governance } from './governance.js';

/** What a request about an unknown outcome adds to the desk's request. */
export interface Question {
  readonly reason: string;
  readonly interrupted: string;
}

/** A person's answer, with a presented approval already checked (and its nonce consumed). */
export type Consulted =
  | { readonly kind: 'approved'; readonly approver: string; readonly nonce: string }
  | { readonly kind: 'refused'; readonly by: string; readonly reason: string }
  | { readonly kind: 'withdrawn' }
  | { readonly kind: 'timeout' };

export interface Transition {
  readonly decidedBy?: string;
  readonly approval?: string;
  readonly reason?: string;
  readonly result?: unknown;
}

/**
 * The gate's writes and questions: journal transitions (each compare-and-set on the entry's
 * version), audit entries, and requests filed at the desk. One place, so that every decision
 * about a call, ordinary or about an unknown outcome, is recorded the same way.
 */
export class GateLedger {
  constructor(readonly governance: Governance) {}

  advance(
    call: GateCall,
    entry: EffectEntry,
    state: EffectState,
    fields: Transition,
  ): Promise<EffectEntry> {
    // One shape for every change: the journal's hot path stays monomorphic.
    const written = this.governance.journal.advance(entry.key, entry.version, {
      state,
      at: call.now(),
      decidedBy: fields.decidedBy,
      approval: fields.approval,
      reason: fields.reason,
      result: fields.result,
    });
    const journaled = call.journaled;
    return journaled === undefined
      ? written
      : written.then((next) => {
          journaled(next);
          return next;
        });
  }

  audit(
    call: GateCall,
    entry: EffectEntry,
    kind: AuditKind,
    extra: { readonly by?: string | undefined; readonly detail?: string | undefined },
  ): Promise<unknown> {
    return this.governance.audit.append(
      {
        kind,
        agent: call.agent,
        threadId: call.threadId,
        tool: entry.tool,
        key: entry.key,
        argsHash: entry.argsHash,
        by: extra.by,
        detail: extra.detail,
      },
      call.now(),
    );
  }

  /**
   * Files a request at the desk (which the caller checked is there) and waits for its answer,
   * the agent's lifecycle told through `hooks`; an approval handed back is checked against the
   * store, and its nonce consumed, here.
   */
  async consult(
    call: GateCall,
    entry: EffectEntry,
    resource: string,
    rule: string,
    hooks: GateHooks | undefined,
    question: Question | undefined,
  ): Promise<Consulted> {
    const desk = this.governance.desk as ApprovalDesk;
    const { id, answer } = desk.ask(
      {
        agent: call.agent,
        threadId: call.threadId,
        tool: call.tool.name,
        effect: call.tool.effect,
        input: call.input,
        argsHash: entry.argsHash,
        resource,
        rule,
        ...(question === undefined ? {} : { kind: 'unknown_outcome', ...question }),
      },
      call.signal,
    );
    const about = { tool: call.tool.name, key: entry.key, requestId: id };
    hooks?.notify?.({
      type: 'governance.approval_requested',
      ...about,
      effect: call.tool.effect,
      kind: question === undefined ? 'call' : 'unknown_outcome',
      rule,
    });
    hooks?.waiting();
    const answered = await answer;
    const decided = (decision: 'approved' | 'denied' | 'timeout' | 'withdrawn', by: string) =>
      hooks?.notify?.({ type: 'governance.approval_decided', ...about, decision, by });
    switch (answered.kind) {
      case 'approval': {
        const binding = bindingOf(call, entry, resource);
        const check = await checkApproval(desk.store, answered.approval, binding, call.now());
        hooks?.answered(check.ok);
        if (check.ok) {
          const { approver, nonce } = answered.approval;
          decided('approved', `person:${approver}`);
          return { kind: 'approved', approver, nonce };
        }
        decided('denied', 'approval');
        return {
          kind: 'refused',
          by: 'approval',
          reason: `the approval given was ${check.reason}`,
        };
      }
      case 'denied':
        hooks?.answered(false);
        decided('denied', answered.by);
        return { kind: 'refused', by: answered.by, reason: answered.reason };
      case 'timeout':
        hooks?.answered(false);
        decided('timeout', 'timeout');
        return answered;
      case 'withdrawn':
        decided('withdrawn', 'cancel');
        return answered;
    }
  }

  /** Tells the event stream what was decided about a call whose outcome is unknown. */
  decided(
    hooks: GateHooks | undefined,
    call: GateCall,
    key: string,
    interrupted: string,
    decision: 'rerun' | 'not_run',
    by: string,
  ): void {
    hooks?.notify?.({
      type: 'governance.unknown_outcome_decided',
      tool: call.tool.name,
      key,
      interrupted,
      decision,
      by,
    });
  }
}
