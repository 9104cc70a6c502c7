import { createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';

// Time is the node's clock: on a TestClock, a minute passes in no real time.
const clock = new TestClock();
const node = createNode({ name: 'test', clock });
const pid = node.spawn(async (ctx) => {
  const message = await ctx.receive();
  console.log(`${String(message)} at ${ctx.now()} ms`);
});
node.sendAfter(pid, 'tick', 60_000);
await clock.advance(60_000); // prints "tick at 60000 ms"
await node.stop();
