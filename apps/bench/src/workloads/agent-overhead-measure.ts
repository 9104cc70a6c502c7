import type { MakeAgentRig } from '../contenders/agent-rig.js';
import { AGENT_RIGS, type AgentContender } from '../contenders/agent-rigs.js';
import { AGENT_STEPS } from '../contenders/agent-script.js';
import type { Sample } from '../workload.js';

/**
 * One sample of the step-overhead workload: `tasks` 10-step tasks one after the other on the
 * bare loop, on the contender, then on the bare loop again, after a warm-up of both: `warmRigs`
 * fresh rigs of each, `warmTasks` tasks on each (default one rig of twice `tasks`); returns the
 * contender's µs
 * per step (`step`) and what it adds per step over the mean of the two bare loops (`added`), in
 * wall time and in the process's CPU time (`cpu`, `cpuAdded`: user + system, every thread of
 * the process, so GC helpers count). The CPU figures hold on a busy machine, where the wall time
 * of a loop that waits on the event loop swells with every wait for a core. For `raw` the middle
 * loop is bare too, so its `added` is the noise of the method.
 */
export async function measureStepOverhead(
  contender: AgentContender,
  tasks: number,
  warmRigs = 1,
  warmTasks = 2 * tasks,
): Promise<Sample> {
  const bare = AGENT_RIGS.raw;
  const make = AGENT_RIGS[contender];
  for (let i = 0; i < warmRigs; i++) {
    await timeTasks('raw', bare, warmTasks);
    await timeTasks(contender, make, warmTasks);
  }
  const before = await timeTasks('raw', bare, tasks);
  const mine = await timeTasks(contender, make, tasks);
  const after = await timeTasks('raw', bare, tasks);
  return {
    step: mine.wall,
    added: mine.wall - (before.wall + after.wall) / 2,
    cpu: mine.cpu,
    cpuAdded: mine.cpu - (before.cpu + after.cpu) / 2,
  };
}

interface PerStep {
  /** µs of wall time per step. */
  readonly wall: number;
  /** µs of the process's CPU time per step. */
  readonly cpu: number;
}

/** Runs `tasks` tasks one at a time on a fresh rig, checking every answer. */
async function timeTasks(name: string, make: MakeAgentRig, tasks: number): Promise<PerStep> {
  const rig = await make({ latencyMs: 0, agents: 1 });
  try {
    const answers: string[] = [];
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < tasks; i++) answers.push(await rig.run(i));
    const wallMs = performance.now() - start;
    const used = process.cpuUsage(cpu);
    rig.tally.check(name, tasks, answers);
    const steps = tasks * AGENT_STEPS;
    return { wall: (wallMs * 1000) / steps, cpu: (used.user + used.system) / steps };
  } finally {
    await rig.close();
  }
}
