import { ApprovalDesk } from './approval-desk.js';
import { type AuditLog, MemoryAuditLog } from './audit-log.js';
import { CapabilitySet } from './capability-set.js';
import { type EffectJournal, MemoryEffectJournal } from './effect-journal.js';
import { GovernanceError } from './governance-error.js';
import { type FreezeSwitch, Policy, type PolicyOptions } from './policy.js';

export interface ApprovalOptions {
  /** Where requests wait for a person; share one desk between the agents an operator watches. */
  readonly desk: ApprovalDesk;
  /**
   * What a request nobody answered by its deadline does: `deny` (default: the model is told) or
   * `exit` (the agent ends with `ERR_APPROVAL_TIMEOUT`, which its supervisor sees).
   */
  readonly onTimeout?: 'deny' | 'exit';
}

/** The governance options of an agent spec. */
export interface GovernanceSpec {
  /** What the agent may do; default every tool it has, up to each tool's effect. */
  readonly capabilities?: CapabilitySet;
  readonly policy?: Policy | PolicyOptions;
  /** Without it, a call the policy sends to a person is denied. */
  readonly approvals?: ApprovalOptions;
  /** Default: the agent's `store`'s, else in memory, owned by the definition. */
  readonly journal?: EffectJournal;
  /** Default: the agent's `store`'s, else in memory, owned by the definition. */
  readonly audit?: AuditLog;
}

/** What a parent hands a subagent (in its start arguments, never in a message). */
export interface InheritedGovernance {
  readonly capabilities?: CapabilitySet;
  readonly freeze?: readonly FreezeSwitch[];
}

export interface Governance {
  readonly capabilities: CapabilitySet;
  readonly policy: Policy;
  readonly journal: EffectJournal;
  readonly audit: AuditLog;
  readonly desk: ApprovalDesk | undefined;
  readonly onTimeout: 'deny' | 'exit';
}

export function resolveGovernance(spec: GovernanceSpec): Governance {
  if (spec.capabilities !== undefined && !CapabilitySet.is(spec.capabilities)) {
    throw new GovernanceError(
      'ERR_INVALID_CAPABILITY',
      'capabilities must be a CapabilitySet (CapabilitySet.of), not data',
      { field: 'capabilities' },
    );
  }
  const approvals = spec.approvals;
  if (approvals !== undefined && !(approvals.desk instanceof ApprovalDesk)) {
    invalid('approvals.desk', approvals.desk, 'an ApprovalDesk');
  }
  const onTimeout = approvals?.onTimeout ?? 'deny';
  if (onTimeout !== 'deny' && onTimeout !== 'exit') {
    invalid('approvals.onTimeout', onTimeout, "'deny' | 'exit'");
  }
  return {
    capabilities: spec.capabilities ?? CapabilitySet.all(),
    policy: spec.policy instanceof Policy ? spec.policy : new Policy(spec.policy),
    journal: spec.journal ?? new MemoryEffectJournal(),
    audit: spec.audit ?? new MemoryAuditLog(),
    desk: approvals?.desk,
    onTimeout,
  };
}

/**
 * The governance of one process: the definition's, narrowed by what its parent holds. A parent
 * that is frozen freezes its subagents with it.
 */
export function governanceFor(
  governance: Governance,
  inherited: InheritedGovernance | undefined,
): Governance {
  if (inherited === undefined) return governance;
  const { capabilities, freeze } = inherited;
  if (capabilities !== undefined && !CapabilitySet.is(capabilities)) {
    throw new GovernanceError(
      'ERR_INVALID_CAPABILITY',
      'inherited capabilities must be a CapabilitySet, not data',
      { field: 'capabilities' },
    );
  }
  return {
    ...governance,
    capabilities:
      capabilities === undefined
        ? governance.capabilities
        : governance.capabilities.attenuate(capabilities),
    policy: governance.policy.withFreeze(freeze ?? []),
  };
}

function invalid(field: string, value: unknown, expected: string): never {
  throw new GovernanceError(
    'ERR_INVALID_OPTION',
    `invalid governance ${field}: ${String(value)} (expected ${expected})`,
    { field },
  );
}
