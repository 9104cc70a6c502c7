import { expectEqual } from '../../check.js';
import type { Address, Kit, Message } from '../../contenders/kit.js';
import { scaled } from '../../workload.js';
import { PseudoRandom } from './pseudo-random.js';
import type { SavinaBenchmark } from './savina.js';

interface Params {
  readonly n: number;
  readonly w: number;
}

interface Ping {
  readonly type: 'ping';
  readonly sender: number;
}

interface Pong {
  readonly type: 'pong';
  readonly sender: number;
}

interface Neighbors {
  readonly type: 'neighbors';
  readonly neighbors: readonly Address[];
}

const EXIT: Message = { type: 'exit' };

interface BigResult {
  pings: number;
  wrongPongs: number;
  exited: number;
}

/**
 * Big (`big`): W actors each send N pings to random neighbours (Savina's PseudoRandom, seeded by
 * the actor's id) and wait for each pong before the next; when done they tell a sink, which then
 * tells everyone to exit. Many-to-many messaging.
 */
export const big: SavinaBenchmark<Params, BigResult> = {
  name: 'big',
  title: 'Big',
  params: (scale) => ({ n: scaled(20_000, scale), w: 120 }),
  describe: ({ n, w }) => `N=${n} pings per actor, W=${w} actors`,
  ops: ({ n, w }) => 2 * n * w,
  async run(kit: Kit, { n, w }: Params): Promise<BigResult> {
    const result: BigResult = { pings: 0, wrongPongs: 0, exited: 0 };
    await kit.run((system) => {
      const sink = system.spawn((self) => {
        let done = 0;
        let neighbors: readonly Address[] = [];
        return (message) => {
          if (message.type === 'exit') {
            if (++done === w) {
              for (const worker of neighbors) self.send(worker, EXIT);
              self.exit();
            }
          } else if (message.type === 'neighbors') {
            neighbors = (message as Neighbors).neighbors;
          }
        };
      });
      const workers: Address[] = [];
      for (let id = 0; id < w; id++) {
        workers.push(
          system.spawn((self) => {
            let numPings = 0;
            let expPinger = -1;
            const random = new PseudoRandom(id);
            let neighbors: readonly Address[] = [];
            const myPing: Ping = { type: 'ping', sender: id };
            const myPong: Pong = { type: 'pong', sender: id };
            return (message) => {
              switch (message.type) {
                case 'ping':
                  self.send(neighbors[(message as Ping).sender] as Address, myPong);
                  break;
                case 'pong': {
                  if ((message as Pong).sender !== expPinger) result.wrongPongs++;
                  if (numPings === n) {
                    self.send(sink, EXIT);
                  } else {
                    const target = random.nextInt(neighbors.length);
                    expPinger = target;
                    self.send(neighbors[target] as Address, myPing);
                    numPings++;
                    result.pings++;
                  }
                  break;
                }
                case 'exit':
                  result.exited++;
                  self.exit();
                  break;
                case 'neighbors':
                  neighbors = (message as Neighbors).neighbors;
                  break;
              }
            };
          }),
        );
      }
      const neighbors: Neighbors = { type: 'neighbors', neighbors: workers };
      system.send(sink, neighbors);
      for (const worker of workers) system.send(worker, neighbors);
      for (const worker of workers) system.send(worker, { type: 'pong', sender: -1 } as Pong);
    });
    return result;
  },
  check(result, { n, w }) {
    expectEqual('pings sent', result.pings, n * w);
    expectEqual('pongs from an unexpected actor', result.wrongPongs, 0);
    expectEqual('workers exited', result.exited, w);
  },
};
