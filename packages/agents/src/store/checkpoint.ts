import type { AgentLifecycleState } from '@warden/machines';
import type { BudgetSpent } from '../agent/budget.js';
import type { Message } from '../model/message.js';

/** How a finished run ended, as its caller was (or will be) told. */
export interface AgentResult {
  readonly threadId: string;
  readonly outcome: 'done' | 'cancelled' | 'refused';
  /** The model's final text (empty when cancelled; the reason when refused). */
  readonly text: string;
  readonly steps: number;
  readonly spent: BudgetSpent;
}

/**
 * One committed step of a run: what a resumed agent continues from. `version` is the run's head
 * after this commit; the next commit must name it as `expectedHead`.
 */
export interface Checkpoint {
  readonly threadId: string;
  readonly version: number;
  /** The agent type (its `name`) that owns the run. */
  readonly agent: string;
  /** The task, verbatim: the anchor that compaction never touches. */
  readonly task: string;
  readonly step: number;
  readonly state: AgentLifecycleState;
  readonly messages: readonly Message[];
  readonly spent: BudgetSpent;
  /** Set once the run has finished: a resume answers it instead of running again. */
  readonly result?: AgentResult;
}
