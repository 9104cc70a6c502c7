import { expectEqual } from '../../check.js';
import type { Address, Kit } from '../../contenders/kit.js';
import { scaled } from '../../workload.js';
import type { SavinaBenchmark } from './savina.js';

interface Params {
  readonly n: number;
  readonly r: number;
}

interface Ping {
  readonly type: 'ping';
  readonly pingsLeft: number;
}

interface Exit {
  readonly type: 'exit';
  readonly exitsLeft: number;
}

interface Data {
  readonly type: 'data';
  readonly next: Address;
}

interface RingResult {
  pings: number;
  exits: number;
}

/**
 * Thread Ring (`threadring`): N actors in a ring pass a token R times (a fresh message per hop),
 * then an exit message goes round and every actor exits.
 */
export const threadRing: SavinaBenchmark<Params, RingResult> = {
  name: 'thread-ring',
  title: 'Thread Ring',
  params: (scale) => ({ n: 100, r: scaled(100_000, scale) }),
  describe: ({ n, r }) => `N=${n} actors, R=${r} pings`,
  ops: ({ r }) => r,
  async run(kit: Kit, { n, r }: Params): Promise<RingResult> {
    const result: RingResult = { pings: 0, exits: 0 };
    await kit.run((system) => {
      const ring: Address[] = [];
      for (let i = 0; i < n; i++) {
        ring.push(
          system.spawn((self) => {
            let next: Address | undefined;
            return (message) => {
              switch (message.type) {
                case 'ping': {
                  result.pings++;
                  const left = (message as Ping).pingsLeft;
                  if (left > 0)
                    self.send(next as Address, { type: 'ping', pingsLeft: left - 1 } as Ping);
                  else self.send(next as Address, { type: 'exit', exitsLeft: n } as Exit);
                  break;
                }
                case 'exit': {
                  result.exits++;
                  const left = (message as Exit).exitsLeft;
                  if (left > 0)
                    self.send(next as Address, { type: 'exit', exitsLeft: left - 1 } as Exit);
                  self.exit();
                  break;
                }
                case 'data':
                  next = (message as Data).next;
                  break;
              }
            };
          }),
        );
      }
      ring.forEach((actor, i) => {
        system.send(actor, { type: 'data', next: ring[(i + 1) % n] as Address } as Data);
      });
      system.send(ring[0] as Address, { type: 'ping', pingsLeft: r } as Ping);
    });
    return result;
  },
  check(result, { n, r }) {
    expectEqual('pings handled', result.pings, r + 1);
    expectEqual('exit messages handled', result.exits, n);
  },
};
