// docs/semantics.md section 2 (item 8) and OTP's child_unlink case: a start function creates and
// links its child, and the supervisor never re-links what it unlinked. A "naughty" child that
// unlinks itself from its supervisor is still stopped by the shutdown protocol (it waits for the
// DOWN, not the EXIT), but its own exit goes unseen.
import {
  type ChildSpec,
  defineActor,
  isPid,
  type Node,
  type Pid,
  stop,
  terminateChild,
  whichChildren,
} from '@warden/core';
import { describe, expect, it } from 'vitest';
import { createHarness, pidOf, startUnderParent } from './supervisor-harness.js';

/** Unlinks itself from the process that started it as soon as its init runs (OTP's naughty_child). */
const naughty = defineActor<null>({
  init: (_args, ctx) => {
    if (ctx.parent !== undefined) ctx.unlink(ctx.parent);
    return null;
  },
  handleInfo: (message, state) => (message === 'quit' ? stop('normal', state) : state),
});

const plain = defineActor<null>({
  init: () => null,
  handleInfo: (message, state) => {
    if (message === 'crash') throw new Error('crash');
    return state;
  },
});

function linkedTo(node: Node, pid: Pid, other: Pid): boolean {
  return (node.processInfo(pid)?.links ?? []).some((p) => p.key === other.key);
}

describe('2 What a function start linked or unlinked', () => {
  it('does not re-link a child that unlinked itself from its supervisor (OTP child_unlink)', async () => {
    const h = createHarness();
    const spec: ChildSpec = {
      id: 'naughty',
      shutdown: 1000,
      start: (ctx) => ctx.startLink(naughty),
    };
    const { sup } = await startUnderParent(h.node, { children: [spec] });
    const child = await pidOf(h.node, sup, 'naughty');
    await h.clock.settle();
    expect(linkedTo(h.node, child, sup)).toBe(false);
    expect(linkedTo(h.node, sup, child)).toBe(false);
    // The shutdown protocol still stops it, without hanging the supervisor.
    expect(await terminateChild(h.node, sup, 'naughty')).toEqual({ ok: true });
    expect(h.node.isAlive(child)).toBe(false);
    h.node.send(sup, 'stray');
    await h.clock.settle();
    expect(h.eventsOf('supervisor.unexpected_message')).toMatchObject([{ message: 'stray' }]);
  });

  it('does not see a naughty child exit: no EXIT reaches it, so nothing restarts (OTP child_unlink)', async () => {
    const h = createHarness();
    const spec: ChildSpec = { id: 'naughty', start: (ctx) => ctx.startLink(naughty) };
    const { sup } = await startUnderParent(h.node, { children: [spec] });
    const child = await pidOf(h.node, sup, 'naughty');
    h.node.send(child, 'quit');
    await h.clock.settle();
    expect(h.node.isAlive(child)).toBe(false);
    expect(h.eventsOf('supervisor.child_exited')).toEqual([]);
    expect(h.eventsOf('supervisor.restart')).toEqual([]);
    expect(await whichChildren(h.node, sup)).toEqual([
      { id: 'naughty', pid: child, type: 'worker' },
    ]);
  });

  it('does not re-link a pid the start function unlinked', async () => {
    const h = createHarness();
    const spec: ChildSpec = {
      id: 'unlinked',
      start: (ctx) => {
        const pid = ctx.spawnLink(plain);
        ctx.unlink(pid);
        return pid;
      },
    };
    const { sup } = await startUnderParent(h.node, { children: [spec] });
    const child = await pidOf(h.node, sup, 'unlinked');
    expect(linkedTo(h.node, child, sup)).toBe(false);
  });

  it('links a pid the start function got without linking it, and restarts it when it crashes (beyond OTP)', async () => {
    const h = createHarness();
    const spec: ChildSpec = { id: 'spawned', start: (ctx) => ({ pid: ctx.spawn(plain), info: 7 }) };
    const { sup } = await startUnderParent(h.node, { children: [spec] });
    const child = await pidOf(h.node, sup, 'spawned');
    expect(linkedTo(h.node, child, sup)).toBe(true);
    h.node.send(child, 'crash');
    await h.clock.settle();
    const next = await pidOf(h.node, sup, 'spawned');
    expect(isPid(next) && next.key !== child.key).toBe(true);
    expect(linkedTo(h.node, next, sup)).toBe(true);
  });
});
