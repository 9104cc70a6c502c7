import { WardenErrorBase } from '@warden/core';

/**
 * Why a tool call did not produce a result. A tool error is not an exception of the agent: it is
 * returned to the model as the call's result (`isError`), counted, and the model may correct
 * itself; the loop guard and the budgets bound how often.
 */
export const TOOL_ERROR_CODES = [
  /** The model named a tool the agent does not have. */
  'ERR_UNKNOWN_TOOL',
  /** The arguments failed the tool's schema; `run` never saw them. */
  'ERR_INVALID_TOOL_INPUT',
  /** `run` did not finish before the tool's timeout on the node's clock. */
  'ERR_TOOL_TIMEOUT',
  /** `run` threw. */
  'ERR_TOOL_FAILED',
  /** The agent is not allowed this call (capabilities, policy, approval). */
  'ERR_PERMISSION_DENIED',
] as const;

export type ToolErrorCode = (typeof TOOL_ERROR_CODES)[number];

export interface ToolErrorData {
  readonly _tag: 'ToolError';
  readonly code: ToolErrorCode;
  readonly message: string;
  readonly tool: string;
}

export class ToolError extends WardenErrorBase {
  readonly _tag = 'ToolError' as const;
  readonly code: ToolErrorCode;
  readonly tool: string;

  constructor(code: ToolErrorCode, tool: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ToolError';
    this.code = code;
    this.tool = tool;
  }

  override toJSON(): ToolErrorData {
    return { _tag: this._tag, code: this.code, message: this.message, tool: this.tool };
  }
}

export function isToolError(value: unknown, code?: ToolErrorCode): value is ToolError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { _tag?: unknown; code?: unknown };
  return v._tag === 'ToolError' && (code === undefined || v.code === code);
}
