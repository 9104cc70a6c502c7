import { describe, expect, it } from 'vitest';
import {
  type ActorContext,
  createNode,
  DownMessage,
  ExitMessage,
  isWardenError,
  type MailboxOptions,
  type NodeEvent,
  type Pid,
} from '../src/index.js';
import { TestClock, TestProbe } from '../src/testing/index.js';

/** Takes nothing until it is sent 'drain', then reports its whole mailbox to `to`. */
function hoarder(to: () => Pid) {
  return async (ctx: ActorContext) => {
    await ctx.receive((m) => m === 'drain');
    const got: unknown[] = [];
    for (;;) {
      try {
        got.push(await ctx.receive(undefined, { timeout: 0 }));
      } catch {
        break;
      }
    }
    ctx.send(to(), got);
  };
}

function setup(mailbox?: Partial<MailboxOptions>) {
  const clock = new TestClock();
  const node = createNode({ name: 'a', clock });
  const probe = new TestProbe(node);
  const pid = node.spawn(
    hoarder(() => probe.pid),
    mailbox === undefined ? {} : { mailbox },
  );
  return { clock, node, probe, pid };
}

describe('bounded mailbox overflow', () => {
  it('drop-newest: keeps the first messages and dead-letters the arriving one', async () => {
    const { node, probe, pid } = setup({ capacity: 2, overflow: 'drop-newest' });
    for (const m of [1, 2, 3, 4]) node.send(pid, m);
    expect(node.deadLetters.countOf('mailbox-full')).toBe(2);
    expect(node.deadLetters.recent().map((d) => d.message)).toEqual([3, 4]);
    node.cast(pid, 'ignored-too');
    expect(node.deadLetters.countOf('mailbox-full')).toBe(3);
    expect(node.processInfo(pid)?.mailboxSize).toBe(2);
    expect(probe.messages).toEqual([]);
  });

  it('drop-oldest: dead-letters the oldest user message and queues the new one', async () => {
    const { node, probe, pid } = setup({ capacity: 3, overflow: 'drop-oldest' });
    for (const m of [1, 2, 3, 4]) node.send(pid, m);
    expect(node.deadLetters.recent()).toEqual([
      expect.objectContaining({ message: 1, reason: 'mailbox-full', to: pid }),
    ]);
    node.send(pid, 'drain'); // drops 2
    expect(await probe.expectMessage()).toEqual([3, 4]);
    expect(node.deadLetters.countOf('mailbox-full')).toBe(2);
  });

  it('reject: throws ERR_MAILBOX_FULL at a local sender and keeps the mailbox as it was', () => {
    const { node, pid } = setup({ capacity: 1, overflow: 'reject' });
    node.send(pid, 1);
    let err: unknown;
    try {
      node.send(pid, 2);
    } catch (e) {
      err = e;
    }
    expect(isWardenError(err, 'ERR_MAILBOX_FULL')).toBe(true);
    expect(() => node.cast(pid, 3)).toThrow(expect.objectContaining({ code: 'ERR_MAILBOX_FULL' }));
    expect(node.processInfo(pid)?.mailboxSize).toBe(1);
    expect(node.deadLetters.count).toBe(0);
  });

  it('reject: throws ERR_MAILBOX_FULL at a sending process, which may catch it', async () => {
    const { clock, node, probe, pid } = setup({ capacity: 1, overflow: 'reject' });
    node.spawn(async (ctx) => {
      ctx.send(pid, 1);
      try {
        ctx.send(pid, 2);
        ctx.send(probe.pid, 'sent');
      } catch (e) {
        ctx.send(probe.pid, (e as { code: string }).code);
      }
    });
    await clock.settle();
    expect(probe.messages).toEqual(['ERR_MAILBOX_FULL']);
  });

  it('reject: rejects a call to a full mailbox with ERR_MAILBOX_FULL', async () => {
    const { node, pid } = setup({ capacity: 1, overflow: 'reject' });
    node.send(pid, 1);
    const err = await node.call(pid, 'q').catch((e) => e);
    expect(isWardenError(err, 'ERR_MAILBOX_FULL')).toBe(true);
    expect(node.processInfo(pid)?.monitoredBy).toEqual([]);
  });

  it('drop-newest: rejects a call whose request is dropped with ERR_MAILBOX_FULL', async () => {
    const { node, pid } = setup({ capacity: 1, overflow: 'drop-newest' });
    node.send(pid, 1);
    const err = await node.call(pid, 'q').catch((e) => e);
    expect(isWardenError(err, 'ERR_MAILBOX_FULL')).toBe(true);
    expect(node.deadLetters.countOf('mailbox-full')).toBe(1);
  });

  it('drop-oldest: rejects a queued call that is pushed out with ERR_MAILBOX_FULL', async () => {
    const { node, pid } = setup({ capacity: 1, overflow: 'drop-oldest' });
    const call = node.call(pid, 'q').catch((e) => e);
    node.send(pid, 'newer');
    expect(isWardenError(await call, 'ERR_MAILBOX_FULL')).toBe(true);
    expect(node.processInfo(pid)?.mailboxSize).toBe(1);
  });

  it('never drops EXIT or DOWN, even when the mailbox is full', async () => {
    const { clock, node } = setup();
    const die = async (ctx: ActorContext) => {
      await ctx.receive((m) => m === 'die');
      ctx.exit('shutdown');
    };
    const linked = node.spawn(die);
    const watched = node.spawn(die);
    const full = node.spawn(
      async (ctx) => {
        ctx.link(linked);
        ctx.monitor(watched);
        await ctx.receive(() => false);
      },
      { trapExit: true, mailbox: { capacity: 1, overflow: 'drop-newest' } },
    );
    await clock.settle();
    node.send(full, 'filler');
    node.send(full, 'dropped');
    expect(node.deadLetters.countOf('mailbox-full')).toBe(1);
    node.send(linked, 'die');
    node.send(watched, 'die');
    await clock.settle();
    expect(node.processInfo(full)?.mailboxSize).toBe(3);
    expect(node.deadLetters.countOf('mailbox-full')).toBe(1);
  });

  it('keeps system messages out of the bound, so user messages still fit after them', async () => {
    const { clock, node, probe } = setup();
    const pid = node.spawn(
      hoarder(() => probe.pid),
      {
        trapExit: true,
        mailbox: { capacity: 2, overflow: 'reject' },
      },
    );
    const victims = [0, 1, 2].map(() =>
      node.spawn(async (ctx) => {
        ctx.link(pid);
        await ctx.receive((m) => m === 'die');
        ctx.exit('shutdown');
      }),
    );
    await clock.settle();
    for (const v of victims) node.send(v, 'die');
    await clock.settle();
    node.send(pid, 'u1'); // fits: the three EXITs do not count
    node.send(pid, 'drain');
    const got = (await probe.expectMessage()) as unknown[];
    expect(got.filter((m) => m instanceof ExitMessage)).toHaveLength(3);
    expect(got.filter((m) => !(m instanceof ExitMessage))).toEqual(['u1']);
    expect(got.some((m) => m instanceof DownMessage)).toBe(false);
  });

  it('emits mailbox.overflow with the policy and capacity', () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const events: NodeEvent[] = [];
    node.inspect((e) => {
      if (e.type === 'mailbox.overflow') events.push(e);
    });
    const pid = node.spawn(async (ctx) => ctx.receive(() => false), {
      mailbox: { capacity: 1, overflow: 'drop-oldest' },
    });
    node.send(pid, 1);
    node.send(pid, 2);
    expect(events).toEqual([
      { type: 'mailbox.overflow', time: 0, pid, policy: 'drop-oldest', capacity: 1 },
    ]);
  });

  it('applies the node default mailbox to processes spawned without their own', () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock, mailbox: { capacity: 1, overflow: 'reject' } });
    const pid = node.spawn(async (ctx) => ctx.receive(() => false));
    node.send(pid, 1);
    expect(() => node.send(pid, 2)).toThrow(expect.objectContaining({ code: 'ERR_MAILBOX_FULL' }));
  });
});
