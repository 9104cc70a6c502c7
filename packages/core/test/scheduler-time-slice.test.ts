import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createNode, defineActor, type Pid } from '../src/index.js';
import { TestClock } from '../src/testing/index.js';

/** Real work, no clock: a turn that takes a while on any machine. */
function churn(rounds: number): string {
  let digest = 'seed';
  for (let i = 0; i < rounds; i++) digest = createHash('sha256').update(digest).digest('hex');
  return digest;
}

describe('scheduler time slice', () => {
  it('leaves a burst of timer callbacks that each wake a busy process to later turns of the event loop', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'slice', clock });
    const count = 100;
    const done: number[] = [];
    let finished = (): void => undefined;
    const all = new Promise<void>((resolve) => {
      finished = resolve;
    });
    const worker = defineActor<number, number>({
      init: (i) => i,
      handleInfo: (_m, i) => {
        churn(1_000);
        done.push(i);
        if (done.length === count) finished();
        return i;
      },
    });
    const pids: Pid[] = [];
    for (let i = 0; i < count; i++) pids.push(node.spawn(worker, { args: i }));
    await clock.settle();
    // Real timers on purpose: the burst is what the event loop does with many timers expiring
    // together (model answers after the same latency); each callback only sends one message.
    let servedAt = -1;
    for (const pid of pids) setTimeout(() => node.send(pid, 'go'), 1);
    // Queued in the same timers phase: it runs when the loop gets to its check phase.
    setTimeout(() => setImmediate(() => (servedAt = done.length)), 1);
    await all;
    expect(done).toHaveLength(count);
    // The loop got a turn while the burst was still being worked through, not after all of it.
    expect(servedAt).toBeGreaterThanOrEqual(0);
    expect(servedAt).toBeLessThan(count);
    await node.stop();
  });

  it('lets the loop in during the first burst of handlers that leave most of their work to promise continuations', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'first-burst', clock });
    const count = 1000;
    let done = 0;
    let finished = (): void => undefined;
    const all = new Promise<void>((resolve) => {
      finished = resolve;
    });
    const worker = defineActor<null, void>({
      init: () => null,
      handleInfo: async (_m, s) => {
        churn(1);
        await null;
        churn(50);
        if (++done === count) finished();
        return s;
      },
    });
    const pids: Pid[] = [];
    for (let i = 0; i < count; i++) pids.push(node.spawn(worker));
    await clock.settle();
    // A fresh event-loop turn, so the burst's drain starts with a whole slice.
    await new Promise((resolve) => setImmediate(resolve));
    for (const pid of pids) node.send(pid, 'go');
    // Queued before the drain starts: it runs at the first check phase after it.
    const servedAt = new Promise<number>((resolve) => setImmediate(() => resolve(done)));
    await all;
    // The drain lets the continuations of its first handlers run before it goes on, sees the
    // turn's time pass the slice, and hands the rest to the next turns. One that ran every
    // handler before any continuation (a few milliseconds of handlers, within its slice on a
    // quick machine) let the loop in only after all of them.
    expect(await servedAt).toBeLessThan(count);
    await node.stop();
  });

  it('gives fewer handlers a turn once their turns left most of their work to promise continuations', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'tails', clock });
    const count = 400;
    let done = 0;
    let waveDone = (): void => undefined;
    // Each handler returns at once and does its work in a continuation, after the drain that
    // ran it has returned: work the drain's own time never sees.
    const worker = defineActor<null, void>({
      init: () => null,
      handleInfo: async (_m, s) => {
        await null;
        churn(200);
        done++;
        if (done % count === 0) waveDone();
        return s;
      },
    });
    const pids: Pid[] = [];
    for (let i = 0; i < count; i++) pids.push(node.spawn(worker));
    await clock.settle();
    const wave = async (): Promise<number> => {
      const finished = new Promise<void>((resolve) => {
        waveDone = resolve;
      });
      const before = done;
      for (const pid of pids) node.send(pid, 'go');
      // Queued before the drain starts: it runs at the first check phase after it.
      const servedAt = new Promise<number>((resolve) => setImmediate(() => resolve(done - before)));
      await finished;
      return servedAt;
    };
    // The first wave's drain runs handlers as long as its slice allows (nothing is known of
    // their continuations yet), and their continuations follow it before the loop moves on.
    await wave();
    // That turn took far longer than its drain: the next drains run fewer handlers, and the loop
    // gets its check phase while the second wave is still being worked through (the scheduler
    // before this measure ran the whole wave first, as it ran the first).
    expect(await wave()).toBeLessThan(count);
    await node.stop();
  });
});
