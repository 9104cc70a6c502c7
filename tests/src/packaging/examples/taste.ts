import { createNode, defineActor, reply, startSupervisor } from '@warden/core';

const node = createNode({ name: 'a' });
const counter = defineActor<number>({
  init: () => 0,
  handleCall: (_request, _from, n) => reply(n, n),
  handleCast: (by: number, n) => n + by,
});
await startSupervisor(node, {
  strategy: 'one_for_one',
  intensity: 3,
  period: 5000,
  children: [{ id: 'counter', start: { behaviour: counter, options: { name: 'counter' } } }],
});
node.cast('counter', 2);
console.log(await node.call('counter', 'get')); // 2; if the counter crashes, its supervisor restarts it
await node.stop();
