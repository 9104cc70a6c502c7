// A fenced process (killed while its code still runs) gets a promise that never settles for each
// call or receive it makes after the kill. The code waiting on it must stay collectable: a
// long-lived node sees many such processes, and nothing may keep their frames alive.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { type ActorContext, createNode } from '../src/index.js';
import { TestClock } from '../src/testing/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A full collection, after the current job has let go of the weak references it made. */
async function collect(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  gc();
}

describe('a fenced process', () => {
  it.each([
    ['receive', (ctx: ActorContext) => ctx.receive()],
    ['call', (ctx: ActorContext) => ctx.call(ctx.self, 'ping')],
  ])('leaves nothing reachable behind a %s it makes after its kill', async (_, wait) => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    let held: WeakRef<object> | undefined;
    let resumed = false;
    node.spawn(async (ctx: ActorContext) => {
      const frame = { payload: new Array(1_000).fill(0) };
      held = new WeakRef(frame);
      node.exit(ctx.self, 'kill');
      await wait(ctx);
      resumed = frame.payload.length > 0;
    });
    await clock.settle();
    await collect();
    expect(resumed).toBe(false);
    expect(held).toBeDefined();
    expect(held?.deref()).toBeUndefined();
    await node.stop();
  });
});
