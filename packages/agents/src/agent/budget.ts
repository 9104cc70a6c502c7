import type { Usage } from '../model/usage.js';
import { AgentError } from './agent-error.js';
import { costOf, type PriceTable } from './price-table.js';

/** Every budget an agent (or a subtree) can have; an omitted one is unlimited. */
export interface BudgetLimits {
  readonly steps?: number;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  /** Input plus output tokens. */
  readonly tokens?: number;
  readonly costUsd?: number;
  /** Milliseconds on the node's clock since the task started. */
  readonly wallMs?: number;
  readonly toolCalls?: number;
  readonly subagents?: number;
}

export type BudgetName = keyof BudgetLimits;

/** What was spent so far; what a checkpoint stores so a resumed run keeps counting. */
export interface BudgetSpent {
  readonly steps: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  readonly wallMs: number;
  readonly toolCalls: number;
  readonly subagents: number;
  /** Models used that had no price in the table (their cost counted as 0). */
  readonly unpriced: readonly string[];
}

/** Which budget was crossed, its limit and the figure that crossed it. */
export interface BudgetBreach {
  readonly budget: BudgetName;
  readonly limit: number;
  readonly spent: number;
}

export const NOTHING_SPENT: BudgetSpent = Object.freeze({
  steps: 0,
  inputTokens: 0,
  outputTokens: 0,
  costUsd: 0,
  wallMs: 0,
  toolCalls: 0,
  subagents: 0,
  unpriced: [],
});

/**
 * Counts what an agent spends against its limits. Pure bookkeeping: the runtime charges it after
 * every model call, tool call, step and spawn, and checks it before the next one, so a crossing
 * ends the agent at the next boundary, never in the middle of a tool call.
 */
export class BudgetMeter {
  readonly limits: BudgetLimits;
  readonly #prices: PriceTable;
  #spent: { -readonly [K in keyof BudgetSpent]: BudgetSpent[K] };
  #startedAt: number;

  constructor(limits: BudgetLimits, prices: PriceTable, startedAt: number, spent = NOTHING_SPENT) {
    this.limits = limits;
    this.#prices = prices;
    // `unpriced` is replaced, never changed in place: every `spent()` can share it.
    this.#spent = { ...spent, unpriced: Object.freeze([...spent.unpriced]) };
    // A resumed run keeps the wall time already spent.
    this.#startedAt = startedAt - spent.wallMs;
  }

  spent(now: number): BudgetSpent {
    return { ...this.#spent, wallMs: now - this.#startedAt };
  }

  chargeModel(model: string, usage: Usage): void {
    this.#spent.inputTokens += usage.inputTokens;
    this.#spent.outputTokens += usage.outputTokens;
    const cost = costOf(this.#prices, model, usage);
    if (cost === undefined) {
      if (!this.#spent.unpriced.includes(model))
        this.#spent.unpriced = Object.freeze([...this.#spent.unpriced, model]);
    } else {
      this.#spent.costUsd += cost;
    }
  }

  /** Adds what a subagent's run spent: a subtree's tokens and cost count against its root. */
  chargeSubtree(spent: BudgetSpent): void {
    this.#spent.inputTokens += spent.inputTokens;
    this.#spent.outputTokens += spent.outputTokens;
    this.#spent.costUsd += spent.costUsd;
    this.#spent.toolCalls += spent.toolCalls;
    for (const model of spent.unpriced) {
      if (!this.#spent.unpriced.includes(model))
        this.#spent.unpriced = Object.freeze([...this.#spent.unpriced, model]);
    }
  }

  chargeStep(): void {
    this.#spent.steps++;
  }

  chargeToolCall(): void {
    this.#spent.toolCalls++;
  }

  chargeSubagent(): void {
    this.#spent.subagents++;
  }

  /**
   * Refuses (with `ERR_BUDGET_EXCEEDED`) one more step, tool call or subagent when it would go
   * past its limit: a limit of 40 steps allows 40 steps, never a 41st.
   */
  admit(budget: 'steps' | 'toolCalls' | 'subagents'): void {
    // One named read per budget (a read keyed by the argument was a slow generic access on V8).
    let limit: number | undefined;
    let used: number;
    switch (budget) {
      case 'steps':
        limit = this.limits.steps;
        used = this.#spent.steps;
        break;
      case 'toolCalls':
        limit = this.limits.toolCalls;
        used = this.#spent.toolCalls;
        break;
      case 'subagents':
        limit = this.limits.subagents;
        used = this.#spent.subagents;
        break;
    }
    if (limit !== undefined && used + 1 > limit) {
      throw budgetExceeded({ budget, limit, spent: used + 1 });
    }
  }

  /**
   * The first budget crossed, or `undefined`, in this order: steps, tokens, inputTokens,
   * outputTokens, costUsd, wallMs, toolCalls, subagents.
   */
  breach(now: number): BudgetBreach | undefined {
    const limits = this.limits;
    const spent = this.#spent;
    let limit = limits.steps;
    if (limit !== undefined && spent.steps > limit) return over('steps', limit, spent.steps);
    limit = limits.tokens;
    const tokens = spent.inputTokens + spent.outputTokens;
    if (limit !== undefined && tokens > limit) return over('tokens', limit, tokens);
    limit = limits.inputTokens;
    if (limit !== undefined && spent.inputTokens > limit) {
      return over('inputTokens', limit, spent.inputTokens);
    }
    limit = limits.outputTokens;
    if (limit !== undefined && spent.outputTokens > limit) {
      return over('outputTokens', limit, spent.outputTokens);
    }
    limit = limits.costUsd;
    if (limit !== undefined && spent.costUsd > limit) return over('costUsd', limit, spent.costUsd);
    limit = limits.wallMs;
    const wallMs = now - this.#startedAt;
    if (limit !== undefined && wallMs > limit) return over('wallMs', limit, wallMs);
    limit = limits.toolCalls;
    if (limit !== undefined && spent.toolCalls > limit) {
      return over('toolCalls', limit, spent.toolCalls);
    }
    limit = limits.subagents;
    if (limit !== undefined && spent.subagents > limit) {
      return over('subagents', limit, spent.subagents);
    }
    return undefined;
  }

  /** Throws `ERR_BUDGET_EXCEEDED` naming the budget and the figures, if one is crossed. */
  check(now: number): void {
    const breach = this.breach(now);
    if (breach !== undefined) throw budgetExceeded(breach);
  }
}

function over(budget: BudgetName, limit: number, spent: number): BudgetBreach {
  return { budget, limit, spent };
}

export function budgetExceeded(breach: BudgetBreach): AgentError {
  return new AgentError(
    'ERR_BUDGET_EXCEEDED',
    `budget ${breach.budget} exceeded: spent ${round(breach.spent)} of ${breach.limit}`,
    { detail: breach },
  );
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
