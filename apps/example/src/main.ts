/**
 * A supervision tree surviving injected crashes, printed as it happens.
 *
 *   root (one_for_one, 5 restarts / 1 s)
 *   ├── counter          a permanent gen_server-style worker that keeps a running total
 *   └── pool (simple_one_for_one, 10 restarts / 1 s)
 *       └── job x 4      workers that crash on every "fault" message
 *
 * A fault injector crashes random workers; the supervisors restart them; the counter keeps
 * answering; at the end the tree is intact and the node is stopped cleanly.
 */
import {
  createNode,
  defineActor,
  formatReason,
  type NodeEvent,
  type Pid,
  reply,
  startDynamicChild,
  startSupervisor,
  supervisorChild,
  whichChildren,
} from '@warden/core';

const node = createNode({ name: 'example' });
const started = node.clock.now();
const names = new Map<string, string>();
const label = (pid: Pid): string => names.get(pid.key) ?? pid.toString();
const log = (line: string): void => {
  const ms = (node.clock.now() - started).toFixed(1).padStart(7);
  console.log(`[${ms} ms] ${line}`);
};

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

const root = (await startSupervisor(node, {
  strategy: 'one_for_one',
  intensity: 5,
  period: 1000,
  children: [
    { id: 'counter', start: { behaviour: counter, options: { name: 'counter' } }, shutdown: 1000 },
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

// A deterministic fault schedule: 8 crashes, one every 20 ms, on a pseudo-random worker.
let seed = 7;
const random = (): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
for (let round = 1; round <= 8; round++) {
  await new Promise((resolve) => setTimeout(resolve, 20));
  const jobs = await whichChildren(node, pool);
  const victim = jobs[Math.floor(random() * jobs.length)]?.pid;
  if (victim !== undefined && typeof victim !== 'string') {
    log(`inject    fault into ${label(victim)}`);
    node.send(victim, 'fault');
  }
  node.cast('counter', round);
}
await new Promise((resolve) => setTimeout(resolve, 20));

const total = await node.call<number>('counter', 'total');
const jobs = await whichChildren(node, pool);
const live = jobs.filter((c) => c.pid !== undefined && c.pid !== 'restarting').length;
log(`counter total = ${total} (expected 36), pool has ${live}/4 live jobs`);
log(`dead letters: ${node.deadLetters.count}`);
await node.stop();
const ok = total === 36 && live === 4;
console.log(ok ? 'the tree survived every injected fault' : 'UNEXPECTED: the tree did not recover');
process.exitCode = ok ? 0 : 1;
