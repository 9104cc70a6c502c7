import type { TaskSignal } from '../tools/task-signal.js';
import type { AnyTool } from '../tools/tool.js';
import { ToolError } from '../tools/tool-error.js';
import type { ApprovalBinding } from './approval.js';
import type { ApprovalEvent } from './approval-event.js';
import type { EffectEntry, EffectState } from './effect-journal.js';
import { GovernanceError } from './governance-error.js';
import type { UnknownOutcomeEvent } from './unknown-outcome.js';

/** One validated call, as the gate sees it. */
export interface GateCall {
  readonly agent: string;
  readonly threadId: string;
  readonly tool: AnyTool;
  /** The arguments after the tool's schema: what `run` would get. */
  readonly input: unknown;
  /** The call's idempotency key: its journal entry's key. */
  readonly key: string;
  /**
   * `argsHash(input)` when the caller made it already (an agent does, for a read's key), so a
   * call hashes its arguments once; the gate makes it when it is not given.
   */
  readonly argsHash?: string | undefined;
  /** The task's signal (an `AbortSignal` or an agent's run): aborting it withdraws a waiting request. */
  readonly signal: TaskSignal;
  now(): number;
  /** Told the call's journal entry each time the gate reads or writes it (the last is where it stands). */
  readonly journaled?: ((entry: EffectEntry) => void) | undefined;
}

/** What the agent does while a call waits for a person (its lifecycle state), and what it tells. */
export interface GateHooks {
  waiting(): void;
  answered(approved: boolean): void;
  /** A call waits for a person or got its answer, or its outcome is unknown: for the event stream. */
  notify?(event: UnknownOutcomeEvent | ApprovalEvent): void;
}

/** The resources a call touches, or why they cannot be known. */
export type Scopes =
  | { readonly ok: true; readonly scopes: readonly string[] }
  | { readonly ok: false; readonly reason: string };

const NO_SCOPES: Scopes = Object.freeze({ ok: true, scopes: Object.freeze([]) });

/** The resources a call touches, read by the tool's `scope`; one that throws is refused. */
export function scopesOf(tool: AnyTool, input: unknown): Scopes {
  if (tool.scope === undefined) return NO_SCOPES;
  try {
    const named = tool.scope(input);
    const list = typeof named === 'string' ? [named] : [...named];
    if (!list.every((s) => typeof s === 'string' && s !== '')) {
      return { ok: false, reason: `${tool.name} named a resource that is not a string` };
    }
    return { ok: true, scopes: list };
  } catch {
    return { ok: false, reason: `${tool.name} could not say which resource it touches` };
  }
}

/** The exact call an approval must be bound to. */
export function bindingOf(call: GateCall, entry: EffectEntry, resource: string): ApprovalBinding {
  return { agent: call.agent, tool: call.tool.name, argsHash: entry.argsHash, resource };
}

export function denial(tool: string, by: string, reason: string): ToolError {
  return new ToolError(
    'ERR_PERMISSION_DENIED',
    tool,
    `${tool} was not run: denied by ${by}: ${reason}`,
  );
}

export function deniedWhy(by: string, effect: string): string {
  if (by.startsWith('freeze:')) return `a freeze is on: no ${effect} call runs until it lifts`;
  if (by === 'default:irreversible')
    return 'irreversible calls are denied unless a rule asks a person';
  return 'the policy denies this call';
}

/** Nobody answered by the deadline and the agent is set to exit on it. */
export function timedOut(tool: string): GovernanceError {
  return new GovernanceError(
    'ERR_APPROVAL_TIMEOUT',
    `${tool}: nobody approved the call before the deadline`,
  );
}

/** How a `run` that threw ends: aborted half-way it may have had its effect, so `unknown`. */
export function failureOf(
  call: GateCall,
  error: unknown,
): { readonly state: EffectState; readonly detail: string } {
  const code = (error as { code?: unknown } | null)?.code;
  const state: EffectState = call.signal.aborted ? 'unknown' : 'failed';
  return { state, detail: state === 'unknown' || typeof code !== 'string' ? state : code };
}

/** What a journal entry records of why `run` threw. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
