import { WardenErrorBase } from '@warden/core';

/**
 * Every error the agent runtime raises carries a stable `code` from this closed table. An agent
 * that ends because of one exits with an error reason whose `code` is that code, so a supervisor,
 * a log or a trace can tell a budget stop from a loop stop without reading messages.
 */
export const AGENT_ERROR_CODES = [
  /** A budget (steps, tokens, cost, wall time, tool calls, subagents) was crossed. */
  'ERR_BUDGET_EXCEEDED',
  /** The loop guard saw the same call or the same output too often. */
  'ERR_LOOP_DETECTED',
  /** A subagent spawn over the ceiling of its type or of the tree. */
  'ERR_SUBAGENT_CEILING',
  /** The context does not fit the model's window, even after compaction. */
  'ERR_CONTEXT_OVERFLOW',
  /** The task queue of a busy agent is full. */
  'ERR_AGENT_BUSY',
  /** An option failed validation; `field` names it. */
  'ERR_INVALID_OPTION',
  /** A checkpoint commit named a head that is no longer the run's head: a stale writer. */
  'ERR_STALE_HEAD',
  /** A value has no canonical form (a cycle, a function, a non-finite number, ...). */
  'ERR_NOT_CANONICAL',
  /** An agent host was asked for an agent it does not serve. */
  'ERR_UNKNOWN_AGENT',
  /** A peer answered with something that is not the answer the protocol defines. */
  'ERR_MALFORMED_REPLY',
] as const;

export type AgentErrorCode = (typeof AGENT_ERROR_CODES)[number];

export interface AgentErrorData {
  readonly _tag: 'AgentError';
  readonly code: AgentErrorCode;
  readonly message: string;
  readonly detail?: unknown;
}

export class AgentError extends WardenErrorBase {
  readonly _tag = 'AgentError' as const;
  readonly code: AgentErrorCode;
  /** Structured figures (which budget, its limit and what was spent; which call repeated). */
  readonly detail: unknown;
  readonly field: string | undefined;

  constructor(
    code: AgentErrorCode,
    message: string,
    extra: { detail?: unknown; field?: string; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'AgentError';
    this.code = code;
    this.detail = extra.detail;
    this.field = extra.field;
  }

  override toJSON(): AgentErrorData {
    return {
      _tag: this._tag,
      code: this.code,
      message: this.message,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
    };
  }
}

export function isAgentError(value: unknown, code?: AgentErrorCode): value is AgentError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { _tag?: unknown; code?: unknown };
  return v._tag === 'AgentError' && (code === undefined || v.code === code);
}
