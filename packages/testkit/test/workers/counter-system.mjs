// A system module, as `checkSystem(..., { workers })` loads it in each worker thread: plain
// JavaScript (worker threads load what Node loads), exporting `setup` and `invariants`.
import { defineActor, reply, sleep, startSupervisor } from '@warden/core';

const counter = defineActor({
  init: () => 0,
  handleCall: (_request, _from, n) => reply(n + 1, n + 1),
});

/**
 * A counter under a supervisor, called four times by a patient client. With `temporary` as its
 * restart type (the planted bug) nobody serves after its first crash, and requests are lost.
 * @param {'permanent' | 'temporary'} restart
 */
export function counterSystem(restart) {
  return { setup: (sim) => setup(sim, restart), invariants };
}

async function setup(sim, restart) {
  const node = sim.node('tree');
  await startSupervisor(node, {
    strategy: 'one_for_one',
    intensity: 100,
    period: 1_000,
    children: [
      {
        id: 'counter',
        restart,
        start: { behaviour: sim.actor('counter', counter), options: { name: 'counter' } },
      },
    ],
  });
  for (let i = 0; i < 4; i++) {
    node.clock.setTimer(500 + i * 1_000, () => {
      void sim.client(`inc-${i}`, async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await node.call('counter', 'inc', { timeout: 1_500 });
          } catch (error) {
            if (attempt === 8) throw error;
            await sleep(node.clock, 250);
          }
        }
      });
    });
  }
}

const invariants = [
  {
    name: 'every request answered',
    atEnd: (sim) => {
      const lost = sim.requests.all().filter((r) => r.status !== 'completed');
      return lost.length === 0 ? undefined : `${lost.length} request(s) lost`;
    },
  },
];
