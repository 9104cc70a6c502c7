import { expectEqual } from '../../check.js';
import type { Address, Kit, Message } from '../../contenders/kit.js';
import { scaled } from '../../workload.js';
import { JavaRandom } from './java-random.js';
import type { SavinaBenchmark } from './savina.js';

interface Params {
  readonly workers: number;
  readonly messagesPerWorker: number;
  readonly writePercent: number;
}

/** Savina's DATA_LIMIT (Integer.MAX_VALUE / 4096): keys live in [0, DATA_LIMIT). */
const DATA_LIMIT = Math.floor(2_147_483_647 / 4096);

let initialData: Map<number, number> | undefined;

/** Savina's DATA_MAP, built once (as in its `parseArgs`); each run's dictionary copies it. */
function dataMap(): Map<number, number> {
  if (initialData === undefined) {
    initialData = new Map();
    for (let k = 0; k < DATA_LIMIT; k++) initialData.set(k, k);
  }
  return initialData;
}

interface Write {
  readonly type: 'write';
  readonly sender: Address;
  readonly key: number;
  readonly value: number;
}

interface Read {
  readonly type: 'read';
  readonly sender: Address;
  readonly key: number;
}

interface ResultMsg {
  readonly type: 'result';
  readonly value: number | undefined;
}

const DO_WORK: Message = { type: 'do-work' };
const END_WORK: Message = { type: 'end-work' };

interface DictionaryResult {
  writes: number;
  reads: number;
  repliesToWorkers: number;
  size: number;
}

/**
 * Concurrent Dictionary (`concdict`): W workers each make M requests to one dictionary actor (a
 * hash map), waiting for each answer before the next; 10% are writes. A master ends the run.
 */
export const concurrentDictionary: SavinaBenchmark<Params, DictionaryResult> = {
  name: 'concurrent-dictionary',
  title: 'Concurrent Dictionary',
  params: (scale) => ({ workers: 20, messagesPerWorker: scaled(10_000, scale), writePercent: 10 }),
  describe: (p) =>
    `W=${p.workers} workers, M=${p.messagesPerWorker} requests each, ${p.writePercent}% writes, ${DATA_LIMIT} preloaded keys`,
  ops: (p) => 2 * p.workers * p.messagesPerWorker,
  prepare: () => void dataMap(),
  async run(kit: Kit, params: Params): Promise<DictionaryResult> {
    const { workers: numWorkers, messagesPerWorker, writePercent } = params;
    const data = dataMap();
    const result: DictionaryResult = { writes: 0, reads: 0, repliesToWorkers: 0, size: -1 };
    await kit.run((system) => {
      system.spawn((master) => {
        const dictionary = master.spawn((self) => {
          const map = new Map(data);
          return (message) => {
            if (message.type === 'write') {
              const write = message as Write;
              map.set(write.key, write.value);
              result.writes++;
              self.send(write.sender, { type: 'result', value: write.value } as ResultMsg);
            } else if (message.type === 'read') {
              const read = message as Read;
              result.reads++;
              self.send(read.sender, { type: 'result', value: map.get(read.key) } as ResultMsg);
            } else if (message.type === 'end-work') {
              result.size = map.size;
              self.exit();
            }
          };
        });
        for (let id = 0; id < numWorkers; id++) {
          const worker = master.spawn((self) => {
            let messageCount = 0;
            const random = new JavaRandom(id + messagesPerWorker + writePercent);
            return (message) => {
              if (message.type === 'result') result.repliesToWorkers++;
              messageCount++;
              if (messageCount <= messagesPerWorker) {
                if (random.nextInt(100) < writePercent) {
                  const key = Math.abs(random.nextInt()) % DATA_LIMIT;
                  const value = random.nextInt();
                  self.send(dictionary, { type: 'write', sender: self.self, key, value } as Write);
                } else {
                  const key = Math.abs(random.nextInt()) % DATA_LIMIT;
                  self.send(dictionary, { type: 'read', sender: self.self, key } as Read);
                }
              } else {
                self.send(master.self, END_WORK);
                self.exit();
              }
            };
          });
          master.send(worker, DO_WORK);
        }
        let terminated = 0;
        return (message) => {
          if (message.type === 'end-work' && ++terminated === numWorkers) {
            master.send(dictionary, END_WORK);
            master.exit();
          }
        };
      });
    });
    return result;
  },
  check(result, params) {
    const expectedWrites = writesOf(params);
    const requests = params.workers * params.messagesPerWorker;
    expectEqual('writes', result.writes, expectedWrites);
    expectEqual('reads', result.reads, requests - expectedWrites);
    expectEqual('replies received by workers', result.repliesToWorkers, requests);
    expectEqual('dictionary size', result.size, DATA_LIMIT);
  },
};

/** Replays every worker's random sequence to count the writes it must have made. */
function writesOf({ workers, messagesPerWorker, writePercent }: Params): number {
  let writes = 0;
  for (let id = 0; id < workers; id++) {
    const random = new JavaRandom(id + messagesPerWorker + writePercent);
    for (let i = 0; i < messagesPerWorker; i++) {
      if (random.nextInt(100) < writePercent) {
        writes++;
        random.nextInt();
        random.nextInt();
      } else {
        random.nextInt();
      }
    }
  }
  return writes;
}
