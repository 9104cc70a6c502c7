import { expectEqual } from '../../check.js';
import type { Address, Kit, Message } from '../../contenders/kit.js';
import { scaled } from '../../workload.js';
import { performComputation } from './compute.js';
import type { SavinaBenchmark } from './savina.js';

interface Params {
  readonly n: number;
  readonly a: number;
}

interface Work {
  readonly type: 'work';
  readonly theta: number;
}

/**
 * Fork-Join Throughput (`fjthrput`): main sends N messages to each of A actors, round by round;
 * each message costs a little computation; an actor exits after N.
 */
export const forkJoinThroughput: SavinaBenchmark<Params, number[]> = {
  name: 'fork-join-throughput',
  title: 'Fork-Join Throughput',
  params: (scale) => ({ n: scaled(10_000, scale), a: 60 }),
  describe: ({ n, a }) => `N=${n} messages per actor, A=${a} actors`,
  ops: ({ n, a }) => n * a,
  async run(kit: Kit, { n, a }: Params): Promise<number[]> {
    const processed = new Array<number>(a).fill(0);
    await kit.run((system) => {
      const actors: Address[] = [];
      for (let i = 0; i < a; i++) {
        actors.push(
          system.spawn((self) => {
            let count = 0;
            return (message) => {
              count++;
              performComputation((message as Work).theta);
              if (count === n) {
                processed[i] = count;
                self.exit();
              }
            };
          }),
        );
      }
      const message: Message = { type: 'work', theta: 37.2 } as Work;
      for (let m = 0; m < n; m++) {
        for (const actor of actors) system.send(actor, message);
      }
    });
    return processed;
  },
  check(result, { n, a }) {
    expectEqual('actors', result.length, a);
    result.forEach((count, i) => {
      expectEqual(`messages processed by actor ${i}`, count, n);
    });
  },
};
