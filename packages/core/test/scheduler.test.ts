import { describe, expect, it } from 'vitest';
import { createNode, createPoisonGuard, defineActor, reply } from '../src/index.js';
import { TestClock } from '../src/testing/index.js';

/** Sends itself a message per message handled, up to `cap`: a busy actor that never idles. */
function spinner(cap: number, counter: { n: number }) {
  return defineActor<null, void>({
    init: (_a, ctx) => {
      ctx.send(ctx.self, 'spin');
      return null;
    },
    handleInfo: (_m, s, ctx) => {
      counter.n++;
      if (counter.n < cap) ctx.send(ctx.self, 'spin');
      return s;
    },
  });
}

describe('scheduler', () => {
  it('lets a real setTimeout fire while an actor keeps sending itself messages', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const cap = 2_000_000;
    const counter = { n: 0 };
    node.spawn(spinner(cap, counter));
    // The only real timer of the suite: it observes event-loop fairness, it does not wait for work.
    const firedAt = await new Promise<number>((resolve) => setTimeout(() => resolve(counter.n), 0));
    expect(firedAt).toBeGreaterThan(0);
    expect(firedAt).toBeLessThan(cap);
    await node.stop();
  });

  it('lets setImmediate run between budgets of a busy actor', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock, budget: 100 });
    const counter = { n: 0 };
    node.spawn(spinner(1_000_000, counter));
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      seen.push(await new Promise<number>((resolve) => setImmediate(() => resolve(counter.n))));
    }
    expect(seen[2]).toBeLessThan(1_000_000);
    expect(seen[0]).toBeLessThan(seen[2] as number);
    await node.stop();
  });

  it('gives each runnable process a slice, so a busy process cannot starve another', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock, slice: 4 });
    const order: string[] = [];
    const recorder = (tag: string) =>
      defineActor<null, void>({
        init: () => null,
        handleInfo: (_m, s) => {
          order.push(tag);
          return s;
        },
      });
    const a = node.spawn(recorder('a'));
    const b = node.spawn(recorder('b'));
    await clock.settle();
    for (let i = 0; i < 12; i++) {
      node.send(a, i);
      node.send(b, i);
    }
    await clock.settle();
    expect(order).toHaveLength(24);
    expect(order.slice(0, 8)).toEqual(['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b']);
  });

  it('handles one message at a time, even with async handlers', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    let active = 0;
    let maxActive = 0;
    const pid = node.spawn(
      defineActor<null, void>({
        init: () => null,
        handleInfo: async (_m, s) => {
          active++;
          maxActive = Math.max(maxActive, active);
          await Promise.resolve();
          await Promise.resolve();
          active--;
          return s;
        },
      }),
    );
    for (let i = 0; i < 10; i++) node.send(pid, i);
    await clock.settle();
    expect(maxActive).toBe(1);
    expect(node.processInfo(pid)?.mailboxSize).toBe(0);
  });

  it('keeps scheduling other processes when a poison key function throws', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const guard = createPoisonGuard({
      threshold: 1,
      key: () => {
        throw new Error('key failed');
      },
    });
    const guarded = node.spawn(defineActor({ init: () => 0, handleInfo: (_m, s) => s }), {
      poison: guard,
    });
    const echo = node.spawn(
      defineActor<null, void>({ init: () => null, handleCall: (r, _f, s) => reply(r, s) }),
    );
    await clock.settle();
    node.send(guarded, 'x');
    let answer: unknown;
    void node.call(echo, 'alive').then((v) => (answer = v));
    // A few real turns are enough for a healthy scheduler; a wedged one never answers.
    for (let i = 0; i < 10 && answer === undefined; i++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect(answer).toBe('alive');
    expect(node.isIdle()).toBe(true);
  });
});
