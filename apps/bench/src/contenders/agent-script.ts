import { BenchCheckError, expectEqual } from '../check.js';

/**
 * The task every agent framework runs in the agent workloads: a 10-step tool loop. The model
 * calls `lookup` for customers 1 to 9, one call per step, then answers. Each turn is decided by
 * how many tool results the conversation holds, so the script needs no state of its own and one
 * model serves any number of threads at once, in every framework alike.
 */
export const AGENT_STEPS = 10;
export const AGENT_TOOL_CALLS = AGENT_STEPS - 1;

export const AGENT_TASK = 'Look customers 1 to 9 up, then say how many are on the pro plan.';
export const AGENT_SYSTEM = 'You look customers up.';
export const AGENT_ANSWER = `${AGENT_TOOL_CALLS} customers, all on the pro plan`;

export const LOOKUP_NAME = 'lookup';
export const LOOKUP_DESCRIPTION = 'Looks a customer up by id';

export interface Customer {
  readonly id: number;
  readonly name: string;
  readonly plan: 'pro';
}

/** The tool's own work, the same function in every framework. */
export function lookupCustomer(id: number): Customer {
  return { id, name: `customer ${id}`, plan: 'pro' };
}

/** One scripted answer: a tool call, or the final text. */
export type AgentTurn =
  | { readonly kind: 'call'; readonly id: number }
  | { readonly kind: 'answer'; readonly text: string };

/** The answer to a conversation that holds `toolResults` tool results so far. */
export function agentTurn(toolResults: number): AgentTurn {
  if (toolResults < AGENT_TOOL_CALLS) return { kind: 'call', id: toolResults + 1 };
  if (toolResults === AGENT_TOOL_CALLS) return { kind: 'answer', text: AGENT_ANSWER };
  throw new BenchCheckError(`the script has no turn after ${toolResults} tool results`);
}

/**
 * Counts what the tasks did, so every contender's run is checked the same way: each task called
 * the model 10 times, ran the tool 9 times on ids 1 to 9, and ended with the scripted answer.
 */
export class AgentTally {
  modelCalls = 0;
  toolRuns = 0;
  idSum = 0;

  lookup(id: number): Customer {
    this.toolRuns++;
    this.idSum += id;
    return lookupCustomer(id);
  }

  check(framework: string, tasks: number, answers: readonly string[]): void {
    expectEqual(`${framework} model calls`, this.modelCalls, tasks * AGENT_STEPS);
    expectEqual(`${framework} tool runs`, this.toolRuns, tasks * AGENT_TOOL_CALLS);
    expectEqual(`${framework} sum of looked-up ids`, this.idSum, tasks * 45);
    expectEqual(`${framework} answers`, answers.length, tasks);
    for (const answer of answers) expectEqual(`${framework} answer`, answer, AGENT_ANSWER);
  }
}

/**
 * The task text of thread `thread`. The number rides in the text, the one thing every framework
 * hands its model verbatim, so a model adapter can tell which thread a call belongs to (the
 * concurrency workload times each thread's steps there).
 */
export function taskText(thread: number): string {
  return `${AGENT_TASK} (#${thread})`;
}

/** The thread number of a task text made by `taskText`. */
export function threadOf(text: string): number {
  const match = /\(#(\d+)\)$/.exec(text);
  if (match === null) throw new BenchCheckError(`not a task of the script: ${text.slice(0, 80)}`);
  return Number(match[1]);
}

/** Waits `ms` on the real clock; 0 resolves at once (no timer), as warden's scripted model. */
export function latency(ms: number): Promise<void> {
  if (ms === 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms));
}
