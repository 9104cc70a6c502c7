import { describe, expect, it } from 'vitest';
import { createNode, defineActor, ExitMessage, type NodeEvent } from '../src/index.js';
import { TestClock, TestProbe } from '../src/testing/index.js';

function setup() {
  const clock = new TestClock();
  const node = createNode({ name: 'a', clock });
  return { clock, node };
}

const boom = { tag: 'error', name: 'Error', message: 'probe failed' } as const;

describe('TestProbe', () => {
  it('reads its mailbox only when asked: messages wait in the queue until an expectation', async () => {
    const { clock, node } = setup();
    const probe = new TestProbe(node);
    for (const m of ['a', 'b', 'c']) node.send(probe.pid, m);
    await clock.settle();
    expect(node.processInfo(probe.pid)?.mailboxSize).toBe(3);
    expect(await probe.expectMessage((m) => m === 'b')).toBe('b');
    expect(node.processInfo(probe.pid)?.mailboxSize).toBe(2);
    expect(probe.messages).toEqual(['a', 'c']);
    probe.clear();
    expect(node.processInfo(probe.pid)?.mailboxSize).toBe(0);
  });

  it('exits with a reason, which its links and monitors see', async () => {
    const { clock, node } = setup();
    const probe = new TestProbe(node);
    const watcher = new TestProbe(node);
    const linked = node.spawn(async (ctx) => void (await ctx.receive()));
    probe.link(linked);
    watcher.link(probe.pid);
    const ref = watcher.monitor(probe.pid);
    const events: NodeEvent[] = [];
    node.inspect((e) => events.push(e));
    probe.exit(boom);
    await clock.settle();
    expect(probe.alive).toBe(false);
    expect(node.isAlive(linked)).toBe(false);
    await watcher.expectExit(probe.pid, boom);
    await watcher.expectDown(ref, boom);
    expect(
      events.find((e) => e.type === 'actor.exited' && e.pid.key === probe.pid.key),
    ).toMatchObject({ reason: boom, cause: 'self' });
  });

  it('acts as a linked process that is not trapping: a crash of its link takes it down', async () => {
    const { clock, node } = setup();
    const probe = new TestProbe(node, { trapExit: false });
    const worker = node.spawn(
      defineActor<undefined, undefined>({
        init: () => undefined,
        handleInfo: () => {
          throw new Error('worker failed');
        },
      }),
    );
    probe.link(worker);
    node.send(worker, 'go');
    await clock.settle();
    expect(probe.alive).toBe(false);
  });

  it('acts as a trapping process: the crash arrives as an EXIT message', async () => {
    const { node } = setup();
    const probe = new TestProbe(node);
    const worker = node.spawn(async () => {
      throw new Error('worker failed');
    });
    probe.link(worker);
    const exit = await probe.expectExit(worker);
    expect(exit).toBeInstanceOf(ExitMessage);
    expect(probe.alive).toBe(true);
    expect(probe.trapExit(false)).toBe(true);
  });

  it('fails an expectation at once once the probe has exited', async () => {
    const { node } = setup();
    const probe = new TestProbe(node);
    probe.exit('normal');
    probe.exit('normal');
    await expect(probe.expectMessage()).rejects.toThrow(/has exited/);
  });

  it('waits on a real clock with one receive and ends the wait when the probe exits', async () => {
    const node = createNode({ name: 'real' });
    const probe = new TestProbe(node);
    node.send(probe.pid, 'hello');
    expect(await probe.expectMessage((m) => m === 'hello', { within: 60_000 })).toBe('hello');
    const waiting = probe.expectMessage(() => true, { within: 60_000 });
    probe.exit('normal');
    await expect(waiting).rejects.toThrow(/exited while waiting/);
    await node.stop();
  });
});
