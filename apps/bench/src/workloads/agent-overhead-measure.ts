import type { MakeAgentRig } from '../contenders/agent-rig.js';
import { AGENT_RIGS, type AgentContender } from '../contenders/agent-rigs.js';
import { AGENT_STEPS } from '../contenders/agent-script.js';
import type { Sample } from '../workload.js';

/**
 * One sample of the step-overhead workload: `tasks` 10-step tasks one after the other on the
 * bare loop, on the contender, then on the bare loop again, after a warm-up of both; returns the
 * contender's µs per step (`step`) and what it adds per step over the mean of the two bare loops
 * (`added`). For `raw` the middle loop is bare too, so its `added` is the noise of the method.
 */
export async function measureStepOverhead(
  contender: AgentContender,
  tasks: number,
): Promise<Sample> {
  const bare = AGENT_RIGS.raw;
  const make = AGENT_RIGS[contender];
  const warm = Math.max(1, Math.ceil(tasks / 2));
  await timeTasks('raw', bare, warm);
  await timeTasks(contender, make, warm);
  const before = await timeTasks('raw', bare, tasks);
  const step = await timeTasks(contender, make, tasks);
  const after = await timeTasks('raw', bare, tasks);
  return { step, added: step - (before + after) / 2 };
}

/** Runs `tasks` tasks one at a time on a fresh rig; µs per step, after checking every answer. */
async function timeTasks(name: string, make: MakeAgentRig, tasks: number): Promise<number> {
  const rig = await make({ latencyMs: 0, agents: 1 });
  try {
    const answers: string[] = [];
    const start = performance.now();
    for (let i = 0; i < tasks; i++) answers.push(await rig.run(i));
    const us = ((performance.now() - start) * 1000) / (tasks * AGENT_STEPS);
    rig.tally.check(name, tasks, answers);
    return us;
  } finally {
    await rig.close();
  }
}
