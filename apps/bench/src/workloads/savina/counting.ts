import { expectEqual } from '../../check.js';
import type { Address, Kit, Message } from '../../contenders/kit.js';
import { scaled } from '../../workload.js';
import type { SavinaBenchmark } from './savina.js';

interface Params {
  readonly n: number;
}

const INCREMENT: Message = { type: 'increment' };

interface Retrieve {
  readonly type: 'retrieve';
  readonly sender: Address;
}

interface Result {
  readonly type: 'result';
  readonly result: number;
}

/**
 * Counting (`count`): a producer sends N increments to a counter, then asks for the count; the
 * counter answers and both exit. Measures the cost of a one-way message to one busy actor.
 */
export const counting: SavinaBenchmark<Params, number> = {
  name: 'counting',
  title: 'Counting',
  params: (scale) => ({ n: scaled(1_000_000, scale) }),
  describe: ({ n }) => `N=${n} messages`,
  ops: ({ n }) => n,
  async run(kit: Kit, { n }: Params): Promise<number> {
    let answer = -1;
    await kit.run((system) => {
      const counter = system.spawn((self) => {
        let count = 0;
        return (message) => {
          if (message.type === 'increment') {
            count++;
          } else if (message.type === 'retrieve') {
            self.send((message as Retrieve).sender, { type: 'result', result: count } as Result);
            self.exit();
          }
        };
      });
      const producer = system.spawn((self) => (message) => {
        if (message.type === 'increment') {
          for (let i = 0; i < n; i++) self.send(counter, INCREMENT);
          self.send(counter, { type: 'retrieve', sender: self.self } as Retrieve);
        } else if (message.type === 'result') {
          answer = (message as Result).result;
          self.exit();
        }
      });
      system.send(producer, INCREMENT);
    });
    return answer;
  },
  check(result, { n }) {
    expectEqual('count', result, n);
  },
};
