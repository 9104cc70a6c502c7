import { type Address, type Behaviour, isWardenError, type Pid } from '@warden/core';
import { runTask } from '../agent/agent-protocol.js';
import { checkInt, checkName, invalidOption } from '../model/policy/option-checks.js';
import type { AgentResult } from '../store/checkpoint.js';
import type { CheckOutcome } from './check-result.js';
import type { CheckContext, HealthCheck } from './health-check.js';

export const FUNCTIONAL_DEFAULTS = Object.freeze({ deadlineMs: 120_000, everyMs: 300_000 });

/** True when the answer is right, or a sentence saying what is wrong with it. */
export type GoldenChecker = (result: AgentResult) => true | string;

export interface FunctionalOptions {
  /** The agent type the golden task is for. */
  readonly agent: string;
  /**
   * Where the golden task runs: a fresh process of this behaviour, spawned for the run and
   * ended after it (so the check neither waits behind nor disturbs real work), or `address`.
   */
  readonly behaviour?: Behaviour<never>;
  readonly address?: Address;
  readonly task: string;
  readonly check: GoldenChecker;
  /** The golden task must be answered, and pass, within this, on the node's clock. */
  readonly deadlineMs?: number;
  readonly everyMs?: number;
  readonly name?: string;
}

/**
 * L3: a task whose right answer is known runs through the agent, end to end (model, tools,
 * budgets), on a schedule. Each run has a thread of its own: a checkpoint store must never
 * answer a golden task from an earlier run.
 */
export function functionalCheck(options: FunctionalOptions): HealthCheck {
  const agent = checkName('agent', options?.agent);
  const task = checkName('task', options.task);
  if (typeof options.check !== 'function')
    throw invalidOption('check', options.check, 'a function');
  if ((options.behaviour === undefined) === (options.address === undefined)) {
    throw invalidOption('behaviour', options.behaviour, 'exactly one of behaviour or address');
  }
  const deadlineMs = checkInt(
    'deadlineMs',
    options.deadlineMs ?? FUNCTIONAL_DEFAULTS.deadlineMs,
    1,
  );
  const everyMs = checkInt('everyMs', options.everyMs ?? FUNCTIONAL_DEFAULTS.everyMs, 1);
  let runs = 0;
  return {
    name: checkName('name', options.name ?? `golden:${agent}`),
    level: 'L3',
    agent,
    everyMs,
    async run({ node }: CheckContext): Promise<CheckOutcome> {
      const threadId = `health:golden:${agent}:${node.incarnation}:${++runs}`;
      const spawned: Pid | undefined =
        options.behaviour === undefined ? undefined : node.spawn(options.behaviour);
      const target = spawned ?? (options.address as Address);
      const start = node.clock.now();
      try {
        const result = await runTask(node, target, { task, threadId }, { timeout: deadlineMs });
        const tookMs = node.clock.now() - start;
        if (result.outcome !== 'done') {
          return { status: 'fail', detail: { reason: 'outcome', outcome: result.outcome, tookMs } };
        }
        const verdict = judge(options.check, result);
        return verdict === true
          ? { status: 'pass', detail: { tookMs, steps: result.steps } }
          : { status: 'fail', detail: { reason: 'wrong answer', why: verdict, tookMs } };
      } catch (error) {
        const code = isWardenError(error) ? error.code : (error as { code?: unknown })?.code;
        return {
          status: 'fail',
          detail: {
            reason: code === 'ERR_CALL_TIMEOUT' ? 'deadline' : 'error',
            ...(typeof code === 'string' ? { code } : {}),
            message: error instanceof Error ? error.message : String(error),
            deadlineMs,
          },
        };
      } finally {
        if (spawned !== undefined && node.isAlive(spawned)) node.exit(spawned, 'kill');
      }
    },
  };
}

function judge(check: GoldenChecker, result: AgentResult): true | string {
  try {
    const verdict = check(result);
    return verdict === true ? true : typeof verdict === 'string' ? verdict : 'checker said no';
  } catch (error) {
    return `checker threw: ${error instanceof Error ? error.message : String(error)}`;
  }
}
