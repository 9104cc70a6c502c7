import { expectEqual } from '../../check.js';
import type { Kit, Message } from '../../contenders/kit.js';
import { scaled } from '../../workload.js';
import { performComputation } from './compute.js';
import type { SavinaBenchmark } from './savina.js';

interface Params {
  readonly n: number;
}

interface Work {
  readonly type: 'work';
  readonly theta: number;
}

/**
 * Fork-Join Create (`fjcreate`): main creates N actors and sends each one message; an actor does
 * a little computation and exits. Measures actor creation.
 */
export const forkJoinCreate: SavinaBenchmark<Params, number> = {
  name: 'fork-join-create',
  title: 'Fork-Join Create',
  params: (scale) => ({ n: scaled(40_000, scale) }),
  describe: ({ n }) => `N=${n} actors`,
  ops: ({ n }) => n,
  async run(kit: Kit, { n }: Params): Promise<number> {
    let processed = 0;
    await kit.run((system) => {
      const message: Message = { type: 'work', theta: 37.2 } as Work;
      const behaviour = (self: { exit(): void }) => (work: Message) => {
        performComputation((work as Work).theta);
        processed++;
        self.exit();
      };
      for (let i = 0; i < n; i++) system.send(system.spawn(behaviour), message);
    });
    return processed;
  },
  check(result, { n }) {
    expectEqual('actors that processed their message', result, n);
  },
};
