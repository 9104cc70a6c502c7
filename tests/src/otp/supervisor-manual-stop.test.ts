// docs/semantics.md section 7, items 35-36: stopping children by hand (terminateChild,
// restartChild, deleteChild), and the API's infinite call timeout while the supervisor is busy.
import {
  deleteChild,
  ExitMessage,
  isPid,
  type ProcessFunction,
  restartChild,
  terminateChild,
  whichChildren,
} from '@warden/core';
import { describe, expect, it } from 'vitest';
import { createHarness, pidOf, startUnderParent, workerSpec } from './supervisor-harness.js';

/** Traps exits and ignores them: only a kill ends it. */
const stubborn: ProcessFunction = async (ctx) => {
  for (let i = 0; i < 1000; i++) await ctx.receive((m) => m instanceof ExitMessage);
};

describe('7 terminateChild, restartChild, deleteChild', () => {
  it('keeps the spec of a terminated child so restartChild starts it again (item 35)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, { children: [workerSpec('a')] });
    const a0 = await pidOf(h.node, sup, 'a');
    expect(await terminateChild(h.node, sup, 'a')).toEqual({ ok: true });
    expect(h.node.isAlive(a0)).toBe(false);
    expect(await whichChildren(h.node, sup)).toEqual([{ id: 'a', pid: undefined, type: 'worker' }]);
    const restarted = await restartChild(h.node, sup, 'a');
    expect(restarted.ok).toBe(true);
    const a1 = await pidOf(h.node, sup, 'a');
    expect(restarted).toEqual({ ok: true, pid: a1 });
    expect(a1).not.toEqual(a0);
    // A manual stop is not a restart and is not counted against intensity.
    expect(h.eventsOf('supervisor.restart')).toEqual([]);
  });

  it('drops the spec of a temporary child when it is terminated (item 35)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      children: [workerSpec('a'), workerSpec('t', { restart: 'temporary' })],
    });
    expect(await terminateChild(h.node, sup, 't')).toEqual({ ok: true });
    expect((await whichChildren(h.node, sup)).map((c) => c.id)).toEqual(['a']);
    expect(await restartChild(h.node, sup, 't')).toEqual({ ok: false, error: 'not_found' });
  });

  it('refuses to delete a running child, and deletes it once terminated (item 35)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      children: [workerSpec('a'), workerSpec('b')],
    });
    expect(await deleteChild(h.node, sup, 'a')).toEqual({ ok: false, error: 'running' });
    expect(isPid((await whichChildren(h.node, sup))[0]?.pid)).toBe(true);
    await terminateChild(h.node, sup, 'a');
    expect(await deleteChild(h.node, sup, 'a')).toEqual({ ok: true });
    expect((await whichChildren(h.node, sup)).map((c) => c.id)).toEqual(['b']);
    expect(await restartChild(h.node, sup, 'a')).toEqual({ ok: false, error: 'not_found' });
  });

  it('does not auto-shut down when a significant child is stopped with terminateChild (item 35)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      autoShutdown: 'any_significant',
      children: [workerSpec('s', { restart: 'transient', significant: true }), workerSpec('b')],
    });
    expect(await terminateChild(h.node, sup, 's')).toEqual({ ok: true });
    await h.clock.settle();
    expect(h.node.isAlive(sup)).toBe(true);
    expect(h.eventsOf('supervisor.auto_shutdown')).toEqual([]);
    expect(isPid(await pidOf(h.node, sup, 'b'))).toBe(true);
  });
});

describe('7 API calls while the supervisor is busy', () => {
  it('answers a whichChildren issued during a slow shutdown after it, without a call timeout (item 36)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      children: [
        {
          id: 'slow',
          shutdown: 10_000,
          start: { behaviour: stubborn, options: { trapExit: true } },
        },
      ],
    });
    const slow = await pidOf(h.node, sup, 'slow');
    const stopping = terminateChild(h.node, sup, 'slow');
    await h.clock.settle();
    let answer: unknown;
    const which = whichChildren(h.node, sup).then(
      (rows) => (answer = rows),
      (error: unknown) => (answer = error),
    );
    // The default call timeout (5000 ms) passes: the API call must still be waiting.
    await h.clock.advance(9_999);
    expect(answer).toBeUndefined();
    expect(h.node.isAlive(slow)).toBe(true);
    await h.clock.advance(1);
    await which;
    expect(answer).toEqual([{ id: 'slow', pid: undefined, type: 'worker' }]);
    expect(await stopping).toEqual({ ok: true });
  });
});
