import { createNode } from '@warden/core';
import { retry } from '@warden/resilience';

const node = createNode({ name: 'app' });
let attempts = 0;
const flaky = async (): Promise<string> => {
  attempts++;
  if (attempts < 3) throw Object.assign(new Error('overloaded'), { status: 503 });
  return 'answer';
};
// A 503 is transient: retried with jittered backoff on the node's clock; a 400 would not be.
const policy = retry({ clock: node.clock, maxAttempts: 4, baseMs: 10 });
console.log(await policy.execute(flaky), attempts); // answer 3
await node.stop();
