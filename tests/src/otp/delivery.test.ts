import { createNode } from '@warden/core';
import { TestClock, TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';

// docs/semantics.md "JavaScript adaptations": delivery is at-most-once and ordered per
// sender-receiver pair; whatever is dropped locally is a counted dead letter, never silent.

function setup() {
  const clock = new TestClock();
  const node = createNode({ name: 'a', clock });
  return { clock, node, probe: new TestProbe(node) };
}

describe('at-most-once delivery, ordered per pair (JavaScript adaptations)', () => {
  it('delivers the messages of one pair in order, each at most once', async () => {
    const { node, probe } = setup();
    const receiver = node.spawn(async (ctx) => {
      const got: unknown[] = [];
      for (;;) {
        const m = await ctx.receive();
        if (m === 'end') break;
        got.push(m);
      }
      ctx.send(probe.pid, got);
    });
    node.spawn(async (ctx) => {
      for (let i = 0; i < 200; i++) ctx.send(receiver, i);
      ctx.send(receiver, 'end');
    });
    expect(await probe.expectMessage()).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('counts every message it cannot deliver, under a reason', async () => {
    const { clock, node } = setup();
    const dead = node.spawn(async () => {});
    const full = node.spawn(
      async (ctx) => {
        await ctx.receive(() => false);
      },
      { mailbox: { capacity: 1 } },
    );
    await clock.settle();
    node.send(dead, 1);
    node.send('no-such-name', 2);
    node.send(full, 3);
    node.send(full, 4);
    expect(node.deadLetters.count).toBe(3);
    expect(Object.fromEntries(node.deadLetters.byReason())).toEqual({
      noproc: 1,
      'unknown-name': 1,
      'mailbox-full': 1,
    });
  });
});
