/**
 * A supervision tree surviving injected crashes, told line by line as it happens.
 *
 *   root (one_for_one, 5 restarts / 1 s)
 *   ├── counter          a permanent gen_server-style worker that keeps a running total
 *   └── pool (simple_one_for_one, 10 restarts / 1 s)
 *       └── job x 4      workers that crash on every "fault" message
 *
 * A fault injector crashes pseudo-random workers, one every 20 ms on the node's clock; the
 * supervisors restart them; the counter keeps answering; at the end the tree is intact and the
 * node is stopped cleanly. On the system clock this is the demo; on a `TestClock` it is a test.
 */
import {
  defineActor,
  formatReason,
  type Node,
  type NodeEvent,
  type Pid,
  reply,
  startDynamicChild,
  startSupervisor,
  supervisorChild,
  whichChildren,
} from '@warden/core';

/** What the scenario found at the end. */
export interface ScenarioResult {
  readonly total: number;
  readonly liveJobs: number;
  readonly survived: boolean;
}

/** The sum of the rounds cast to the counter: 1 + 2 + ... + ROUNDS. */
const ROUNDS = 8;
export const EXPECTED_TOTAL = (ROUNDS * (ROUNDS + 1)) / 2;
const FAULT_EVERY_MS = 20;

const counter = defineActor<number>({
  init: () => 0,
  handleCall: (_request, _from, total) => reply(total, total),
  handleCast: (n: number, total) => total + n,
});

const job = defineActor<number, number>({
  init: (n) => n,
  handleInfo: (message, n) => {
    if (message === 'fault') throw new Error(`injected fault in job ${n}`);
    return n;
  },
});

/** Runs the scenario on `node` (and stops it), printing each line through `print`. */
export async function runScenario(
  node: Node,
  print: (line: string) => void,
): Promise<ScenarioResult> {
  const started = node.clock.now();
  const names = new Map<string, string>();
  const label = (pid: Pid): string => names.get(pid.key) ?? pid.toString();
  const log = (line: string): void => {
    const ms = (node.clock.now() - started).toFixed(1).padStart(7);
    print(`[${ms} ms] ${line}`);
  };
  /** Waits on the node's clock, so that a TestClock replays the schedule in no real time. */
  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => node.clock.setTimer(ms, resolve));

  node.inspect((event: NodeEvent) => {
    switch (event.type) {
      case 'supervisor.child_started':
        names.set(event.pid.key, `${event.id}${event.pid}`);
        log(`started   ${label(event.pid)}`);
        break;
      case 'supervisor.child_exited':
        log(`exited    ${label(event.pid)}: ${formatReason(event.reason)}`);
        break;
      case 'supervisor.restart':
        log(`restart   ${event.id} (supervisor ${event.supervisor})`);
        break;
      case 'supervisor.escalated':
        log(`ESCALATED supervisor ${event.supervisor} after ${event.restarts} restarts`);
        break;
    }
  });

  const root = (await startSupervisor(node, {
    strategy: 'one_for_one',
    intensity: 5,
    period: 1000,
    children: [
      {
        id: 'counter',
        start: { behaviour: counter, options: { name: 'counter' } },
        shutdown: 1000,
      },
      supervisorChild('pool', {
        strategy: 'simple_one_for_one',
        intensity: 10,
        period: 1000,
        children: [{ id: 'job', start: { behaviour: job }, shutdown: 1000 }],
      }),
    ],
  })) as Pid;

  const pool = (await whichChildren(node, root)).find((c) => c.id === 'pool')?.pid as Pid;
  for (let n = 1; n <= 4; n++) await startDynamicChild(node, pool, n);

  // A deterministic fault schedule: ROUNDS crashes, one every 20 ms, on a pseudo-random worker.
  let seed = 7;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let round = 1; round <= ROUNDS; round++) {
    await wait(FAULT_EVERY_MS);
    const jobs = await whichChildren(node, pool);
    const victim = jobs[Math.floor(random() * jobs.length)]?.pid;
    if (victim !== undefined && typeof victim !== 'string') {
      log(`inject    fault into ${label(victim)}`);
      node.send(victim, 'fault');
    }
    node.cast('counter', round);
  }
  await wait(FAULT_EVERY_MS);

  const total = await node.call<number>('counter', 'total');
  const jobs = await whichChildren(node, pool);
  const liveJobs = jobs.filter((c) => c.pid !== undefined && c.pid !== 'restarting').length;
  log(`counter total = ${total} (expected ${EXPECTED_TOTAL}), pool has ${liveJobs}/4 live jobs`);
  log(`dead letters: ${node.deadLetters.count}`);
  await node.stop();
  const survived = total === EXPECTED_TOTAL && liveJobs === 4;
  print(
    survived ? 'the tree survived every injected fault' : 'UNEXPECTED: the tree did not recover',
  );
  return { total, liveJobs, survived };
}
