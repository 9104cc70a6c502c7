import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BenchCheckError } from '../check.js';
import { AGENT_RIGS, type AgentContender } from '../contenders/agent-rigs.js';
import { AGENT_STEPS } from '../contenders/agent-script.js';
import { percentile } from '../stats.js';
import { nextTurn, type Sample } from '../workload.js';

/** How finely the event loop's delay is sampled, in ms (the histogram's timer period). */
const LOOP_RESOLUTION_MS = 1;

/** Where Linux gives this thread's time on a core, in ns (the first field). */
const THREAD_SCHEDSTAT = '/proc/thread-self/schedstat';

/**
 * One sample of the concurrency workload: `agents` tasks of 10 steps started at once on one
 * rig, the model answering after `latencyMs` on the real clock (warden: `agents` agent
 * processes on one node, spawned before the clock starts; the frameworks: as many concurrent
 * runs). Reports the wall time of the whole batch (`ms`), the step latency p50 and p99 (a step
 * runs from one model call's start to the next's, the last one to the task's answer: model
 * latency, tool, checkpoint and any queueing behind other agents), and the event loop's delay
 * over the batch (`monitorEventLoopDelay`), its max and p99. A smaller warm-up batch runs first.
 *
 * On a shared machine the delay is mostly the wait for a core: a process that works 5 ms and
 * is then descheduled for 80 reads as an 85 ms delay. So, where Linux tells a thread's time on a
 * core, `cpuLagMax` is the longest the main thread worked between two turns of a 1 ms timer:
 * the delay the loop would have had with a core of its own (garbage collection on the main
 * thread included, its helper threads and the compiler's not).
 */
export async function measureConcurrency(
  contender: AgentContender,
  agents: number,
  latencyMs: number,
): Promise<Sample> {
  await batch(contender, Math.max(1, Math.ceil(agents / 10)), latencyMs);
  return batch(contender, agents, latencyMs);
}

async function batch(contender: AgentContender, agents: number, latencyMs: number) {
  const starts: number[][] = Array.from({ length: agents }, () => []);
  const ends: number[] = new Array(agents).fill(0);
  const rig = await AGENT_RIGS[contender]({
    latencyMs,
    agents,
    onModelCall: (thread) => starts[thread]?.push(performance.now()),
  });
  try {
    await nextTurn();
    await nextTurn();
    const delay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    delay.enable();
    const work = threadWorkBetweenTurns();
    const start = performance.now();
    const answers = await Promise.all(
      starts.map(async (_, thread) => {
        const answer = await rig.run(thread);
        ends[thread] = performance.now();
        return answer;
      }),
    );
    const ms = performance.now() - start;
    const cpuLagMax = work?.stop();
    delay.disable();
    rig.tally.check(contender, agents, answers);
    const steps = stepLatencies(starts, ends).sort((a, b) => a - b);
    return {
      ms,
      p50: percentile(steps, 50),
      p99: percentile(steps, 99),
      lagMax: delay.max / 1e6,
      lagP99: delay.percentile(99) / 1e6,
      ...(cpuLagMax === undefined ? {} : { cpuLagMax }),
    };
  } finally {
    await rig.close();
  }
}

/** Each thread's 10 step latencies in ms, from its model calls' start times and its end. */
function stepLatencies(starts: readonly (readonly number[])[], ends: readonly number[]): number[] {
  const out: number[] = [];
  starts.forEach((calls, thread) => {
    if (calls.length !== AGENT_STEPS) {
      throw new BenchCheckError(
        `thread ${thread}: ${calls.length} model calls, not ${AGENT_STEPS}`,
      );
    }
    for (let k = 0; k < calls.length; k++) {
      const next = k + 1 < calls.length ? (calls[k + 1] as number) : (ends[thread] as number);
      out.push(next - (calls[k] as number));
    }
  });
  return out;
}

/** This thread's time on a core in ms, or undefined where the system does not tell it. */
function threadCpuMs(): number | undefined {
  try {
    return Number(readFileSync(THREAD_SCHEDSTAT, 'latin1').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

/**
 * Reads the main thread's time on a core at every turn of a 1 ms timer, until `stop`, which
 * answers the most it worked between two turns (undefined where the system does not tell it).
 */
function threadWorkBetweenTurns(): { stop(): number } | undefined {
  let last = threadCpuMs();
  if (last === undefined || !Number.isFinite(last)) return undefined;
  let max = 0;
  let timer: NodeJS.Timeout | undefined;
  const turn = (): void => {
    const now = threadCpuMs() as number;
    max = Math.max(max, now - (last as number));
    last = now;
    timer = setTimeout(turn, LOOP_RESOLUTION_MS);
  };
  timer = setTimeout(turn, LOOP_RESOLUTION_MS);
  return {
    stop(): number {
      clearTimeout(timer);
      turn();
      clearTimeout(timer);
      return max;
    },
  };
}
