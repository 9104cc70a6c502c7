/**
 * What the governance layer refuses, each with a stable code. A refused tool call is not one of
 * these: it is a `ToolError` `ERR_PERMISSION_DENIED` the model sees. These are for the code around
 * the agent (an operator, a store, a peer) that did something the governance layer does not allow.
 */
export const GOVERNANCE_ERROR_CODES = [
  /** A journal write whose expected version is not the entry's version: another writer moved it. */
  'ERR_JOURNAL_CONFLICT',
  /** A journal transition the effect lifecycle does not have (done -> executing, ...). */
  'ERR_INVALID_TRANSITION',
  /** An approval or denial for a request that is not pending (unknown, answered or withdrawn). */
  'ERR_UNKNOWN_REQUEST',
  /** The approver is the requester. */
  'ERR_SELF_APPROVAL',
  /** Nobody answered an approval request by its deadline and the agent is set to exit on it. */
  'ERR_APPROVAL_TIMEOUT',
  /** Capability data (from the wire or a caller) that is not a well-formed capability set. */
  'ERR_INVALID_CAPABILITY',
  /** A governance option failed validation; `field` names it. */
  'ERR_INVALID_OPTION',
] as const;

export type GovernanceErrorCode = (typeof GOVERNANCE_ERROR_CODES)[number];

export interface GovernanceErrorData {
  readonly _tag: 'GovernanceError';
  readonly code: GovernanceErrorCode;
  readonly message: string;
}

export class GovernanceError extends Error {
  readonly _tag = 'GovernanceError' as const;
  readonly code: GovernanceErrorCode;
  readonly field: string | undefined;

  constructor(code: GovernanceErrorCode, message: string, extra: { field?: string } = {}) {
    super(message);
    this.name = 'GovernanceError';
    this.code = code;
    this.field = extra.field;
  }

  toJSON(): GovernanceErrorData {
    return { _tag: this._tag, code: this.code, message: this.message };
  }
}

export function isGovernanceError(
  value: unknown,
  code?: GovernanceErrorCode,
): value is GovernanceError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { _tag?: unknown; code?: unknown };
  return v._tag === 'GovernanceError' && (code === undefined || v.code === code);
}
