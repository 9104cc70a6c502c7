import type { AgentResult } from '../store/checkpoint.js';
import { AgentError } from './agent-error.js';
import type { BudgetSpent } from './budget.js';

const OUTCOMES: readonly string[] = ['done', 'cancelled', 'refused'];
const FIGURES = [
  'steps',
  'inputTokens',
  'outputTokens',
  'costUsd',
  'wallMs',
  'toolCalls',
  'subagents',
] as const;
/** Longest text a peer's answer may carry into this agent's context. */
const MAX_TEXT = 1_000_000;

/**
 * A subagent's answer that came from another node, checked field by field before its figures
 * are charged to the parent's budgets: a malformed or hostile answer (a negative or non-finite
 * count, a text beyond bound) is `ERR_MALFORMED_REPLY`, never a budget made NaN. What a peer
 * reports it spent is its word: budgets hold across nodes only as far as peers are honest.
 */
export function readResult(value: unknown): AgentResult {
  const v = value as Partial<Record<keyof AgentResult, unknown>> | null;
  if (
    typeof v !== 'object' ||
    v === null ||
    typeof v.threadId !== 'string' ||
    !OUTCOMES.includes(v.outcome as string) ||
    typeof v.text !== 'string' ||
    v.text.length > MAX_TEXT ||
    !isCount(v.steps)
  ) {
    throw malformed('a subagent result');
  }
  return {
    threadId: v.threadId,
    outcome: v.outcome as AgentResult['outcome'],
    text: v.text,
    steps: v.steps,
    spent: readSpent(v.spent),
  };
}

function readSpent(value: unknown): BudgetSpent {
  const v = value as Record<string, unknown> | null;
  if (typeof v !== 'object' || v === null) throw malformed('its spent budgets');
  const out: Record<string, unknown> = {};
  for (const figure of FIGURES) {
    if (!isCount(v[figure])) throw malformed(`its spent ${figure}`);
    out[figure] = v[figure];
  }
  const unpriced = v.unpriced;
  if (
    !Array.isArray(unpriced) ||
    unpriced.length > 64 ||
    !unpriced.every((m) => typeof m === 'string' && m.length <= 200)
  ) {
    throw malformed('its unpriced models');
  }
  out.unpriced = Object.freeze([...unpriced]);
  return out as unknown as BudgetSpent;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function malformed(what: string): AgentError {
  return new AgentError('ERR_MALFORMED_REPLY', `a peer sent a malformed answer: ${what}`);
}
