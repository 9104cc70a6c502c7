// docs/semantics.md section 6 (items 26-28): a start that fails during a restart marks the child
// restarting, and the supervisor retries it after serving its mailbox.
import {
  type ChildSpec,
  countChildren,
  deleteChild,
  isPid,
  type Pid,
  restartChild,
  type Strategy,
  whichChildren,
} from '@warden/core';
import { describe, expect, it } from 'vitest';
import {
  createHarness,
  type Harness,
  pause,
  pidOf,
  startUnderParent,
  worker,
} from './supervisor-harness.js';

/** How long a failing start takes, in virtual ms: long enough to queue calls behind it. */
const FAIL_AFTER = 100;

/**
 * A child with a function-form start that fails (after FAIL_AFTER ms) while its id is in
 * `failing`, and starts a worker otherwise. The flag is read when the start begins.
 */
function flaky(id: string, failing: Set<string>): ChildSpec {
  return {
    id,
    start: async (ctx) => {
      if (failing.has(id)) {
        await pause(ctx, FAIL_AFTER);
        throw new Error(`cannot start ${id}`);
      }
      return ctx.startLink(worker, { args: { id } });
    },
  };
}

async function startFlaky(
  h: Harness,
  strategy: Strategy,
  ids: string[],
  failing: Set<string>,
  intensity = 10,
): Promise<Pid> {
  const { sup } = await startUnderParent(h.node, {
    strategy,
    intensity,
    period: 60_000,
    children: ids.map((id) => flaky(id, failing)),
  });
  return sup;
}

describe('6 Failed restarts', () => {
  it('marks a child whose restart failed as restarting, serves the calls already queued (restartChild and deleteChild answer restarting), then retries (items 26, 27)', async () => {
    const h = createHarness();
    const failing = new Set<string>();
    const sup = await startFlaky(h, 'one_for_one', ['a'], failing);
    failing.add('a');
    h.node.send(await pidOf(h.node, sup, 'a'), 'crash');
    await h.clock.settle(); // the supervisor is now inside the failing start
    failing.delete('a'); // the retry will succeed
    const which = whichChildren(h.node, sup);
    const counts = countChildren(h.node, sup);
    const restarted = restartChild(h.node, sup, 'a');
    const deleted = deleteChild(h.node, sup, 'a');
    await h.clock.advance(FAIL_AFTER);
    // These calls were queued before the retry, so they see the child between attempts.
    expect(await which).toEqual([{ id: 'a', pid: 'restarting', type: 'worker' }]);
    expect(await counts).toEqual({ specs: 1, active: 0, supervisors: 0, workers: 1 });
    expect(await restarted).toEqual({ ok: false, error: 'restarting' });
    expect(await deleted).toEqual({ ok: false, error: 'restarting' });
    expect(h.eventsOf('supervisor.start_failed')).toMatchObject([
      { id: 'a', time: FAIL_AFTER, reason: { tag: 'error', message: 'cannot start a' } },
    ]);
    expect(h.eventsOf('supervisor.restart').map((e) => [e.id, e.time])).toEqual([
      ['a', 0],
      ['a', FAIL_AFTER],
    ]);
    expect(isPid((await whichChildren(h.node, sup))[0]?.pid)).toBe(true);
  });

  it('counts each retry as a restart, so a child that keeps failing to start exhausts intensity (item 26)', async () => {
    const h = createHarness();
    const failing = new Set<string>();
    const sup = await startFlaky(h, 'one_for_one', ['a'], failing, 3);
    h.probe.monitor(sup);
    failing.add('a');
    h.node.send(await pidOf(h.node, sup, 'a'), 'crash');
    const down = await h.probe.expectDown(sup, undefined, { within: 10 * FAIL_AFTER });
    expect(down.reason).toBe('shutdown');
    expect(h.eventsOf('supervisor.restart')).toHaveLength(3);
    expect(h.eventsOf('supervisor.start_failed').map((e) => e.time)).toEqual([
      FAIL_AFTER,
      2 * FAIL_AFTER,
      3 * FAIL_AFTER,
    ]);
    expect(h.eventsOf('supervisor.escalated')).toMatchObject([
      { time: 3 * FAIL_AFTER, restarts: 4 },
    ]);
  });

  it('makes a different child that fails during a one_for_all restart the retry target (item 28)', async () => {
    const h = createHarness();
    const failing = new Set<string>();
    const sup = await startFlaky(h, 'one_for_all', ['a', 'b', 'c'], failing);
    const a0 = await pidOf(h.node, sup, 'a');
    failing.add('b');
    h.node.send(a0, 'crash');
    await h.clock.settle(); // a restarted, b's start in progress
    failing.clear();
    const which = whichChildren(h.node, sup);
    await h.clock.advance(FAIL_AFTER);
    const during = await which;
    expect(during.map((c) => [c.id, isPid(c.pid) ? 'pid' : c.pid])).toEqual([
      ['a', 'pid'],
      ['b', 'restarting'],
      ['c', undefined],
    ]);
    const a1 = during[0]?.pid as Pid;
    expect(a1).not.toEqual(a0);
    await h.clock.settle();
    expect(h.eventsOf('supervisor.start_failed')).toMatchObject([{ id: 'b' }]);
    expect(h.eventsOf('supervisor.restart').map((e) => e.id)).toEqual(['a', 'b']);
    // The retry of b is a one_for_all restart: a is terminated and started again with b and c.
    const after = await whichChildren(h.node, sup);
    expect(after.every((c) => isPid(c.pid))).toBe(true);
    expect(after[0]?.pid).not.toEqual(a1);
  });

  it('makes a later child that fails during a rest_for_one restart the retry target, leaving earlier ones running (item 28)', async () => {
    const h = createHarness();
    const failing = new Set<string>();
    const sup = await startFlaky(h, 'rest_for_one', ['a', 'b', 'c'], failing);
    failing.add('c');
    h.node.send(await pidOf(h.node, sup, 'a'), 'crash');
    await h.clock.settle();
    failing.clear();
    const which = whichChildren(h.node, sup);
    await h.clock.advance(FAIL_AFTER);
    const during = await which;
    expect(during.map((c) => [c.id, isPid(c.pid) ? 'pid' : c.pid])).toEqual([
      ['a', 'pid'],
      ['b', 'pid'],
      ['c', 'restarting'],
    ]);
    await h.clock.settle();
    const after = await whichChildren(h.node, sup);
    expect(after.slice(0, 2)).toEqual(during.slice(0, 2)); // the retry of c touches only c
    expect(isPid(after[2]?.pid)).toBe(true);
    expect(h.eventsOf('supervisor.restart').map((e) => e.id)).toEqual(['a', 'c']);
  });
});
