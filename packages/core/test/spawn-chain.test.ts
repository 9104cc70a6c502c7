import { describe, expect, it } from 'vitest';
import { createNode, defineActor, type Pid, stop } from '../src/index.js';
import { TestClock } from '../src/testing/index.js';

interface Chain {
  readonly n: number;
  readonly order: number[];
  readonly parents: (Pid | undefined)[];
  done: () => void;
}

/** Handles one message, spawns its successor and stops: one live process at a time. */
const link = defineActor<Chain, Chain>({
  init: (chain) => chain,
  handleInfo: (index: number, chain, ctx) => {
    chain.order.push(index);
    chain.parents.push(ctx.parent);
    if (index + 1 < chain.n) ctx.send(ctx.spawn(link, { args: chain }), index + 1);
    else chain.done();
    return stop('normal', chain);
  },
});

describe('a chain of spawns, one live process at a time', () => {
  it('runs every link in order across many budget yields and leaves no process behind', async () => {
    // A budget of 64 messages yields to the event loop every 32 links, so the run queue empties,
    // rewinds and yields thousands of times.
    const node = createNode({ name: 'chain', clock: new TestClock(), budget: 64 });
    const n = 20_000;
    const chain: Chain = { n, order: [], parents: [], done: () => {} };
    const finished = new Promise<void>((resolve) => {
      chain.done = resolve;
    });
    const first = node.spawn(link, { args: chain });
    node.send(first, 0);
    await finished;
    await new Promise((resolve) => setImmediate(resolve));
    expect(chain.order).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(chain.parents[0]).toBeUndefined();
    expect(chain.parents.slice(1).every((p) => p !== undefined)).toBe(true);
    expect(node.processes().map(String)).toEqual([]);
    await node.stop();
  });

  it('keeps runnable processes in the order they were woken when the queue rewinds', async () => {
    const node = createNode({ name: 'order', clock: new TestClock() });
    const seen: string[] = [];
    const recorder = defineActor<string, string>({
      init: (name) => name,
      handleInfo: (_m: unknown, name) => {
        seen.push(name);
        return name;
      },
    });
    const pids = ['a', 'b', 'c', 'd'].map((name) => node.spawn(recorder, { args: name }));
    await new Promise((resolve) => setImmediate(resolve)); // every init has run: all are idle
    // Woken in this order, twice: the first round drains (the queue rewinds), the second reuses it.
    for (const round of [0, 1]) {
      for (const i of [2, 0, 3, 1]) node.send(pids[i] as Pid, round);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(seen).toEqual(['c', 'a', 'd', 'b', 'c', 'a', 'd', 'b']);
    await node.stop();
  });
});
