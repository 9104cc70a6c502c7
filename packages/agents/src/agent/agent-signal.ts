import type { EffectEntry } from '../governance/effect-journal.js';
import type { ModelResponse } from '../model/model-response.js';
import type { ToolCallOutcome } from '../tools/run-tool-call.js';

export type SignalKind =
  | 'dequeue'
  | 'step'
  | 'model'
  | 'tools'
  | 'approval'
  | 'compacted'
  | 'wall'
  | 'fail';

/**
 * A message an agent sends itself: the next step, or the completion of work that ran beside the
 * process. It carries the run's id, so the completion of a cancelled run's call is ignored.
 */
export class AgentSignal {
  constructor(
    readonly kind: SignalKind,
    readonly runId: number,
    readonly payload: unknown,
  ) {}
}

/** The payload of a `model` signal: the model call's response or its error. */
export type ModelOutcome =
  | { readonly ok: true; readonly response: ModelResponse }
  | { readonly ok: false; readonly error: unknown };

/** The payload of a `tools` signal: every call of the step, answered. */
export interface ToolsOutcome {
  readonly outcomes: readonly ToolCallOutcome[];
  /** Each call's journal entry as the gate left it (none for a call refused before the gate). */
  readonly journal: readonly (EffectEntry | undefined)[];
  readonly nudge: string | undefined;
}

/** The payload of an `approval` signal: a call started or stopped waiting for a person. */
export type ApprovalPhase =
  | { readonly waiting: true }
  | { readonly waiting: false; readonly approved: boolean };
