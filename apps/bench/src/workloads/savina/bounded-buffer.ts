import { expectEqual } from '../../check.js';
import type { Address, Kit, Message } from '../../contenders/kit.js';
import { scaled } from '../../workload.js';
import { JavaRandom } from './java-random.js';
import type { SavinaBenchmark } from './savina.js';

interface Params {
  readonly bufferSize: number;
  readonly producers: number;
  readonly consumers: number;
  readonly itemsPerProducer: number;
  readonly prodCost: number;
  readonly consCost: number;
}

const draws = new Map<number, Float64Array>();

/**
 * Savina's `processItem` makes a `new Random(cost)` on every call, so every call draws the same
 * `cost * 100` doubles: they are drawn once here, and each call does the same logarithms as
 * Savina's on them.
 */
function drawsFor(cost: number): Float64Array {
  let table = draws.get(cost);
  if (table === undefined) {
    const random = new JavaRandom(cost);
    table = new Float64Array(Math.max(1, cost * 100));
    for (let i = 0; i < table.length; i++) table[i] = random.nextDouble();
    draws.set(cost, table);
  }
  return table;
}

function processItem(curTerm: number, table: Float64Array): number {
  let res = curTerm;
  for (let i = 0; i < table.length; i++) res += Math.log(Math.abs(table[i] as number) + 0.01);
  return res;
}

interface DataItem {
  readonly type: 'data';
  readonly data: number;
  readonly producer: Address;
}

interface ConsumerAvailable {
  readonly type: 'consumer-available';
  readonly consumer: Address;
}

const PRODUCE: Message = { type: 'produce' };
const PRODUCER_EXIT: Message = { type: 'producer-exit' };
const CONSUMER_EXIT: Message = { type: 'consumer-exit' };

interface BufferResult {
  produced: number;
  consumed: number;
  producersExited: number;
  consumersExited: number;
}

/**
 * Bounded Producer-Consumer (`bndbuffer`): producers make items (a fixed amount of floating-point
 * work each) and hand them to a manager holding a bounded buffer; consumers ask the manager for
 * work and process items (the same cost). The manager throttles producers when the buffer fills.
 */
export const boundedBuffer: SavinaBenchmark<Params, BufferResult> = {
  name: 'bounded-buffer',
  title: 'Bounded Producer-Consumer',
  params: (scale) => ({
    bufferSize: 50,
    producers: 40,
    consumers: 40,
    itemsPerProducer: scaled(1000, scale),
    prodCost: 25,
    consCost: 25,
  }),
  describe: (p) =>
    `buffer ${p.bufferSize}, ${p.producers} producers x ${p.itemsPerProducer} items, ${p.consumers} consumers, costs ${p.prodCost}/${p.consCost}`,
  ops: (p) => p.producers * p.itemsPerProducer,
  async run(kit: Kit, p: Params): Promise<BufferResult> {
    const result: BufferResult = {
      produced: 0,
      consumed: 0,
      producersExited: 0,
      consumersExited: 0,
    };
    const prodTable = drawsFor(p.prodCost);
    const consTable = drawsFor(p.consCost);
    await kit.run((system) => {
      system.spawn((manager) => {
        const adjustedBufferSize = p.bufferSize - p.producers;
        const availableProducers: Address[] = [];
        const availableConsumers: Address[] = [];
        const pendingData: DataItem[] = [];
        let terminatedProducers = 0;
        const producers: Address[] = [];
        const consumers: Address[] = [];
        for (let i = 0; i < p.producers; i++) {
          producers.push(
            manager.spawn((self) => {
              let prodItem = 0;
              let itemsProduced = 0;
              return () => {
                if (itemsProduced === p.itemsPerProducer) {
                  result.producersExited++;
                  self.send(manager.self, PRODUCER_EXIT);
                  self.exit();
                } else {
                  prodItem = processItem(prodItem, prodTable);
                  self.send(manager.self, {
                    type: 'data',
                    data: prodItem,
                    producer: self.self,
                  } as DataItem);
                  itemsProduced++;
                  result.produced++;
                }
              };
            }),
          );
        }
        for (let i = 0; i < p.consumers; i++) {
          consumers.push(
            manager.spawn((self) => {
              const available: ConsumerAvailable = {
                type: 'consumer-available',
                consumer: self.self,
              };
              let consItem = 0;
              return (message) => {
                if (message.type === 'data') {
                  consItem = processItem(consItem + (message as DataItem).data, consTable);
                  result.consumed++;
                  self.send(manager.self, available);
                } else if (message.type === 'consumer-exit') {
                  result.consumersExited++;
                  self.exit();
                }
              };
            }),
          );
        }
        availableConsumers.push(...consumers);
        for (const producer of producers) manager.send(producer, PRODUCE);
        const tryExit = (): void => {
          if (terminatedProducers === p.producers && availableConsumers.length === p.consumers) {
            for (const consumer of consumers) manager.send(consumer, CONSUMER_EXIT);
            manager.exit();
          }
        };
        return (message) => {
          switch (message.type) {
            case 'data': {
              const item = message as DataItem;
              const consumer = availableConsumers.shift();
              if (consumer === undefined) pendingData.push(item);
              else manager.send(consumer, item);
              if (pendingData.length >= adjustedBufferSize) availableProducers.push(item.producer);
              else manager.send(item.producer, PRODUCE);
              break;
            }
            case 'consumer-available': {
              const consumer = (message as ConsumerAvailable).consumer;
              const item = pendingData.shift();
              if (item === undefined) {
                availableConsumers.push(consumer);
                tryExit();
              } else {
                manager.send(consumer, item);
                const producer = availableProducers.shift();
                if (producer !== undefined) manager.send(producer, PRODUCE);
              }
              break;
            }
            case 'producer-exit':
              terminatedProducers++;
              tryExit();
              break;
          }
        };
      });
    });
    return result;
  },
  check(result, p) {
    const items = p.producers * p.itemsPerProducer;
    expectEqual('items produced', result.produced, items);
    expectEqual('items consumed', result.consumed, items);
    expectEqual('producers exited', result.producersExited, p.producers);
    expectEqual('consumers exited', result.consumersExited, p.consumers);
  },
};
