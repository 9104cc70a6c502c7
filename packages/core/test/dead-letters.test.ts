import { describe, expect, it } from 'vitest';
import { type ActorContext, createNode, defineActor, type NodeEvent } from '../src/index.js';
import { TestClock } from '../src/testing/index.js';

async function idle(ctx: ActorContext): Promise<void> {
  await ctx.receive(() => false);
}

describe('dead letters', () => {
  it('counts each undelivered message under its reason', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const gone = node.spawn(async () => {});
    const full = node.spawn(idle, { mailbox: { capacity: 1 } });
    const noInfo = node.spawn(defineActor({ init: () => 0 }));
    await clock.settle();
    node.send(gone, 'a');
    node.send(gone, 'b');
    node.send('nobody', 'c');
    node.send(full, 'd');
    node.send(full, 'e');
    node.send(noInfo, 'f'); // no handleInfo: unhandled
    await clock.settle();
    const dl = node.deadLetters;
    expect(dl.count).toBe(5);
    expect(dl.countOf('noproc')).toBe(2);
    expect(dl.countOf('unknown-name')).toBe(1);
    expect(dl.countOf('mailbox-full')).toBe(1);
    expect(dl.countOf('unhandled')).toBe(1);
    expect(dl.countOf('fenced')).toBe(0);
    expect(dl.recent().map((d) => [d.message, d.reason])).toEqual([
      ['a', 'noproc'],
      ['b', 'noproc'],
      ['c', 'unknown-name'],
      ['e', 'mailbox-full'],
      ['f', 'unhandled'],
    ]);
  });

  it('records the recipient and the node clock time of each letter', async () => {
    const clock = new TestClock(1_000);
    const node = createNode({ name: 'a', clock });
    const gone = node.spawn(async () => {});
    await clock.advance(500);
    node.send(gone, 'x');
    expect(node.deadLetters.recent()).toEqual([
      { to: gone, message: 'x', reason: 'noproc', time: 1_500 },
    ]);
  });

  it('keeps a bounded history but an exact count', () => {
    const node = createNode({ name: 'a', clock: new TestClock(), deadLetterHistory: 3 });
    for (let i = 0; i < 10; i++) node.send('nobody', i);
    expect(node.deadLetters.count).toBe(10);
    expect(node.deadLetters.recent().map((d) => d.message)).toEqual([7, 8, 9]);
  });

  it('counts without history when the history is 0', () => {
    const node = createNode({ name: 'a', clock: new TestClock(), deadLetterHistory: 0 });
    node.send('nobody', 1);
    expect(node.deadLetters.count).toBe(1);
    expect(node.deadLetters.recent()).toEqual([]);
  });

  it('emits a deadletter event for each letter', () => {
    const node = createNode({ name: 'a', clock: new TestClock() });
    const events: NodeEvent[] = [];
    node.inspect((e) => {
      if (e.type === 'deadletter') events.push(e);
    });
    node.send('nobody', 'hello');
    expect(events).toEqual([
      { type: 'deadletter', time: 0, to: 'nobody', reason: 'unknown-name', message: 'hello' },
    ]);
  });

  it('counts the messages left in the mailbox of an exiting process as process-exited', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const pid = node.spawn(idle);
    node.send(pid, 1);
    node.send(pid, 2);
    node.exit(pid, 'shutdown');
    expect(node.deadLetters.countOf('process-exited')).toBe(2);
  });
});
