import {
  type ActorContext,
  createInMemoryNetwork,
  createNode,
  DEFAULT_MAILBOX,
  isWardenError,
  type Pid,
  type WardenError,
} from '@warden/core';
import { TestClock, TestProbe } from '@warden/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// docs/semantics.md section 13, items 52-54, with warden's bounded mailboxes (docs/semantics.md "Beyond OTP").

function setup() {
  const clock = new TestClock();
  const node = createNode({ name: 'a', clock });
  return { clock, node, probe: new TestProbe(node) };
}

/** Collects every message it receives, for `count` messages, then reports them to `to`. */
function collector(to: Pid, count: number) {
  return async (ctx: ActorContext) => {
    const got: unknown[] = [];
    while (got.length < count) got.push(await ctx.receive());
    ctx.send(to, got);
  };
}

describe('message ordering (item 52)', () => {
  it('never delivers S2 before S1 when one sender sends S1 then S2 (item 52)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer(), { minLength: 1, maxLength: 50 }), async (xs) => {
        const { node, probe } = setup();
        const receiver = node.spawn(collector(probe.pid, xs.length));
        node.spawn(async (ctx) => {
          for (const x of xs) ctx.send(receiver, x);
        });
        expect(await probe.expectMessage()).toEqual(xs);
      }),
      { numRuns: 50 },
    );
  });

  it('keeps each sender order when several senders interleave (item 52)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat({ max: 2 }), { minLength: 1, maxLength: 60 }),
        async (schedule) => {
          const { clock, node, probe } = setup();
          const receiver = node.spawn(collector(probe.pid, schedule.length));
          const senders = [0, 1, 2].map((s) =>
            node.spawn(async (ctx) => {
              let n = 0;
              for (;;) {
                await ctx.receive((m) => m === 'tick');
                ctx.send(receiver, { s, n: n++ });
              }
            }),
          );
          for (const s of schedule) node.send(senders[s] as Pid, 'tick');
          await clock.settle();
          const got = (await probe.expectMessage()) as { s: number; n: number }[];
          for (const s of [0, 1, 2]) {
            const ns = got.filter((m) => m.s === s).map((m) => m.n);
            expect(ns).toEqual(ns.map((_, i) => i));
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('keeps per-pair order across nodes (item 52)', async () => {
    const clock = new TestClock();
    const net = createInMemoryNetwork();
    const a = createNode({ name: 'a', clock, transport: net.transport() });
    const b = createNode({ name: 'b', clock, transport: net.transport() });
    const probe = new TestProbe(b);
    const receiver = b.spawn(collector(probe.pid, 100));
    a.spawn(async (ctx) => {
      for (let i = 0; i < 100; i++) ctx.send(receiver, i);
    });
    expect(await probe.expectMessage()).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

describe('messages and exit signals of one pair (item 52)', () => {
  it('delivers the messages a process sent before its exit signal, in order (item 52)', async () => {
    const { clock, node, probe } = setup();
    const sender = node.spawn(async (ctx) => {
      ctx.link(probe.pid);
      await ctx.receive((m) => m === 'go');
      ctx.send(probe.pid, 'm1');
      ctx.send(probe.pid, 'm2');
      ctx.exit('shutdown');
    });
    await clock.settle();
    node.send(sender, 'go');
    await clock.settle();
    expect(probe.messages).toEqual(['m1', 'm2', expect.objectContaining({ reason: 'shutdown' })]);
  });

  it('delivers a remote process messages before its DOWN (item 52)', async () => {
    const clock = new TestClock();
    const net = createInMemoryNetwork();
    const a = createNode({ name: 'a', clock, transport: net.transport() });
    const b = createNode({ name: 'b', clock, transport: net.transport() });
    const probe = new TestProbe(a);
    const remote = b.spawn(async (ctx) => {
      const to = (await ctx.receive()) as Pid;
      for (let i = 0; i < 5; i++) ctx.send(to, i);
      ctx.exit('shutdown');
    });
    probe.monitor(remote);
    await clock.settle();
    b.send(remote, probe.pid);
    await clock.settle();
    expect(probe.messages).toEqual([
      0,
      1,
      2,
      3,
      4,
      expect.objectContaining({ reason: 'shutdown' }),
    ]);
  });
});

describe('selective receive (item 53)', () => {
  it('takes the oldest matching message and leaves the others in order (item 53)', async () => {
    const { node, probe } = setup();
    const pid = node.spawn(async (ctx) => {
      await ctx.receive((m) => m === 'go');
      const picked = await ctx.receive((m) => typeof m === 'number' && m > 1);
      const rest = [await ctx.receive(), await ctx.receive(), await ctx.receive()];
      ctx.send(probe.pid, { picked, rest });
    });
    for (const m of ['a', 1, 2, 'b', 3]) node.send(pid, m);
    node.send(pid, 'go');
    expect(await probe.expectMessage()).toEqual({ picked: 2, rest: ['a', 1, 'b'] });
  });

  it('waits for a matching message, queueing the non-matching ones meanwhile (item 53)', async () => {
    const { clock, node, probe } = setup();
    const pid = node.spawn(async (ctx) => {
      const m = await ctx.receive((x) => x === 'wanted');
      ctx.send(probe.pid, { m, queued: node.processInfo(ctx.self)?.mailboxSize });
    });
    await clock.settle();
    node.send(pid, 'other1');
    node.send(pid, 'other2');
    await clock.settle();
    expect(node.processInfo(pid)?.mailboxSize).toBe(2);
    node.send(pid, 'wanted');
    expect(await probe.expectMessage()).toEqual({ m: 'wanted', queued: 2 });
  });

  it('rejects with ERR_RECEIVE_TIMEOUT after T ms when nothing matches (item 53)', async () => {
    const { clock, node, probe } = setup();
    node.spawn(async (ctx) => {
      const err = await ctx
        .receive<never>(() => false, { timeout: 300 })
        .catch((e: WardenError) => e);
      ctx.send(probe.pid, { code: err.code, at: ctx.now() });
    });
    await clock.advance(299);
    expect(probe.messages).toEqual([]);
    await clock.advance(1);
    expect(await probe.expectMessage(undefined, { within: 0 })).toEqual({
      code: 'ERR_RECEIVE_TIMEOUT',
      at: 300,
    });
  });

  it('polls with timeout 0: takes a queued match or rejects at once (item 53)', async () => {
    const { clock, node, probe } = setup();
    const pid = node.spawn(async (ctx) => {
      await ctx.receive((m) => m === 'go');
      const hit = await ctx.receive((m) => m === 'x', { timeout: 0 });
      const miss = await ctx.receive((m) => m === 'y', { timeout: 0 }).catch((e) => e);
      ctx.send(probe.pid, { hit, miss: isWardenError(miss, 'ERR_RECEIVE_TIMEOUT'), t: ctx.now() });
    });
    node.send(pid, 'x');
    node.send(pid, 'go');
    await clock.settle();
    expect(await probe.expectMessage(undefined, { within: 0 })).toEqual({
      hit: 'x',
      miss: true,
      t: 0,
    });
  });
});

describe('mailboxes (item 54, adapted: bounded)', () => {
  it('bounds every mailbox by default (item 54)', async () => {
    const { clock, node } = setup();
    expect(DEFAULT_MAILBOX.capacity).toBeGreaterThan(0);
    expect(Number.isFinite(DEFAULT_MAILBOX.capacity)).toBe(true);
    const pid = node.spawn(async (ctx) => {
      await ctx.receive(() => false);
    });
    for (let i = 0; i < DEFAULT_MAILBOX.capacity + 5; i++) node.send(pid, i);
    await clock.settle();
    expect(node.processInfo(pid)?.mailboxSize).toBe(DEFAULT_MAILBOX.capacity);
    expect(node.deadLetters.countOf('mailbox-full')).toBe(5);
  });

  it('counts a message sent to a dead pid as a noproc dead letter instead of losing it silently (item 54)', async () => {
    const { clock, node } = setup();
    const pid = node.spawn(async () => {});
    await clock.settle();
    node.send(pid, 'hello');
    expect(node.deadLetters.countOf('noproc')).toBe(1);
    expect(node.deadLetters.recent()).toEqual([
      expect.objectContaining({ to: pid, message: 'hello', reason: 'noproc' }),
    ]);
  });

  it('counts a message to a node whose channel is down as a noconnection dead letter (item 54)', async () => {
    const clock = new TestClock();
    const net = createInMemoryNetwork();
    const a = createNode({ name: 'a', clock, transport: net.transport() });
    const b = createNode({ name: 'b', clock, transport: net.transport() });
    const remote = b.spawn(async (ctx) => {
      await ctx.receive(() => false);
    });
    net.partition('a', 'b');
    a.send(remote, 'lost');
    expect(a.deadLetters.countOf('noconnection')).toBe(1);
    await clock.settle();
    expect(b.processInfo(remote)?.mailboxSize).toBe(0);
  });
});
