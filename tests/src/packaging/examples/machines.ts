import { createNode } from '@warden/core';
import { CircuitBreaker, isMachinesError } from '@warden/machines';

const node = createNode({ name: 'app' });
const breaker = new CircuitBreaker({
  name: 'search',
  clock: node.clock,
  failure: { kind: 'consecutive', threshold: 3 },
  openTimeout: { initialMs: 10_000 },
});
const down = async (): Promise<string> => {
  throw new Error('search is down');
};
for (let i = 0; i < 3; i++) await breaker.execute(down).catch(() => undefined);
// Open: calls fail fast without running, and say when to come back.
const error = await breaker.execute(async () => 'cats').catch((e: unknown) => e);
console.log(breaker.state, isMachinesError(error, 'ERR_BREAKER_OPEN')); // open true
await node.stop();
