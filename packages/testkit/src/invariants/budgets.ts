import type { Invariant } from '../invariant.js';

/** The limits the agents were given, as the checker holds each task (thread) to them. */
export interface BudgetLimits {
  /** Model calls (steps) per thread: a hard limit, never one more. */
  readonly steps?: number;
  /**
   * Tokens per thread. Tokens are known only after a call, so the last step may cross the
   * limit; what must never happen is a step started once the limit was crossed.
   */
  readonly tokens?: number;
}

/** Budgets never exceeded, read from the agents' own `agent.step` events. */
export function budgetsRespected(limits: BudgetLimits): Invariant {
  return {
    name: 'budgets never exceeded',
    always: (sim) => {
      const steps = new Map<string, number>();
      const tokens = new Map<string, number>();
      for (const { event } of sim.agentEvents) {
        if (event.type !== 'agent.step') continue;
        const thread = String(event.threadId);
        const before = tokens.get(thread) ?? 0;
        if (limits.tokens !== undefined && before > limits.tokens) {
          return `thread ${thread} made a model call after spending ${before} tokens of ${limits.tokens}`;
        }
        const usage = event.usage as { inputTokens?: number; outputTokens?: number } | undefined;
        tokens.set(thread, before + (usage?.inputTokens ?? 0) + (usage?.outputTokens ?? 0));
        const n = (steps.get(thread) ?? 0) + 1;
        steps.set(thread, n);
        if (limits.steps !== undefined && n > limits.steps) {
          return `thread ${thread} made ${n} model calls (limit ${limits.steps})`;
        }
      }
      return undefined;
    },
  };
}
