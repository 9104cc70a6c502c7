// docs/semantics.md section 7 (items 29-33): the shutdown protocol for one child. Item 34 (stopping
// all children) is in supervisor-termination.test.ts, items 35-36 in supervisor-manual-stop.test.ts.
import {
  type ExitReason,
  type Pid,
  type ProcessFunction,
  supervisorChild,
  terminateChild,
  whichChildren,
} from '@warden/core';
import { describe, expect, it } from 'vitest';
import {
  createHarness,
  pidOf,
  type Seen,
  startUnderParent,
  trapping,
  trappingSpec,
  workerSpec,
} from './supervisor-harness.js';

describe('7 Shutdown protocol per child', () => {
  it('kills a brutal_kill child: terminate does not run and the reason is killed (item 29)', async () => {
    const h = createHarness();
    const log: string[] = [];
    const { sup } = await startUnderParent(h.node, {
      children: [workerSpec('a', { trap: true, log, shutdown: 'brutal_kill' })],
    });
    const a = await pidOf(h.node, sup, 'a');
    h.probe.monitor(a);
    expect(await terminateChild(h.node, sup, 'a')).toEqual({ ok: true });
    expect((await h.probe.expectDown(a, undefined, { within: 0 })).reason).toBe('killed');
    expect(log).toEqual([]);
    expect(h.eventsOf('supervisor.shutdown_error')).toEqual([]);
  });

  it('sends shutdown under an integer timeout and the trapping child terminates cleanly (item 30)', async () => {
    const h = createHarness();
    const log: string[] = [];
    const { sup } = await startUnderParent(h.node, {
      children: [workerSpec('a', { trap: true, log, shutdown: 1000 })],
    });
    const a = await pidOf(h.node, sup, 'a');
    h.probe.monitor(a);
    await terminateChild(h.node, sup, 'a');
    expect((await h.probe.expectDown(a, undefined, { within: 0 })).reason).toBe('shutdown');
    expect(log).toEqual(['terminate:a']);
    expect(h.eventsOf('supervisor.shutdown_error')).toEqual([]);
  });

  it('kills a child that ignores shutdown after exactly the timeout, and reports a shutdown_error (item 30)', async () => {
    const h = createHarness();
    const seen: Seen[] = [];
    const { sup } = await startUnderParent(h.node, {
      children: [trappingSpec('a', 1000, trapping(seen))],
    });
    const a = await pidOf(h.node, sup, 'a');
    h.probe.monitor(a);
    let done = false;
    const result = terminateChild(h.node, sup, 'a').then((r) => {
      done = true;
      return r;
    });
    await h.clock.advance(999);
    expect(seen).toMatchObject([{ from: sup, reason: 'shutdown', time: 0 }]);
    expect(h.node.isAlive(a)).toBe(true);
    expect(done).toBe(false);
    await h.clock.advance(1);
    expect(await result).toEqual({ ok: true });
    expect((await h.probe.expectDown(a, undefined, { within: 0 })).reason).toBe('killed');
    expect(h.eventsOf('actor.exited').find((e) => e.pid.key === a.key)?.time).toBe(1000);
    expect(h.eventsOf('supervisor.shutdown_error')).toMatchObject([{ id: 'a', reason: 'killed' }]);
  });

  it('reports a shutdown_error for an unexpected reason, and accepts normal only from a non-permanent child (items 29, 30)', async () => {
    const h = createHarness();
    const quit = (reason: ExitReason) => trapping([], (ctx) => ctx.exit(reason));
    const boom = { tag: 'error', name: 'Error', message: 'cleanup failed' } as const;
    const { sup } = await startUnderParent(h.node, {
      children: [
        trappingSpec('perm-normal', 1000, quit('normal')),
        trappingSpec('trans-normal', 1000, quit('normal'), { restart: 'transient' }),
        trappingSpec('temp-shutdown-detail', 1000, quit({ tag: 'shutdown', detail: 'bye' }), {
          restart: 'temporary',
        }),
        trappingSpec('trans-error', 1000, quit(boom), { restart: 'transient' }),
      ],
    });
    for (const id of ['perm-normal', 'trans-normal', 'temp-shutdown-detail', 'trans-error']) {
      await terminateChild(h.node, sup, id);
    }
    expect(h.eventsOf('supervisor.shutdown_error')).toMatchObject([
      { id: 'perm-normal', reason: 'normal' },
      { id: 'trans-error', reason: boom },
    ]);
  });

  it('waits for ever under infinity, however long the child takes (item 31)', async () => {
    const h = createHarness();
    const seen: Seen[] = [];
    const slow = trapping(seen, async (ctx) => {
      await ctx.receive((m) => m === 'go');
      ctx.exit('shutdown');
    });
    const { sup } = await startUnderParent(h.node, {
      children: [trappingSpec('a', 'infinity', slow)],
    });
    const a = await pidOf(h.node, sup, 'a');
    h.probe.monitor(a);
    let done = false;
    const result = terminateChild(h.node, sup, 'a').then((r) => {
      done = true;
      return r;
    });
    await h.clock.advance(24 * 3_600_000);
    expect(h.node.isAlive(a)).toBe(true);
    expect(done).toBe(false);
    h.node.send(a, 'go');
    expect(await result).toEqual({ ok: true });
    expect((await h.probe.expectDown(a, undefined, { within: 0 })).reason).toBe('shutdown');
    expect(h.eventsOf('supervisor.shutdown_error')).toEqual([]);
  });

  it('kills a child supervisor whose finite shutdown runs out mid-shutdown; the kill fence still ends its non-trapping children with killed (item 32, warden)', async () => {
    const h = createHarness();
    const seen: Seen[] = [];
    const { sup: top } = await startUnderParent(h.node, {
      children: [
        supervisorChild(
          'inner',
          { children: [workerSpec('plain'), trappingSpec('stubborn', 5000, trapping(seen))] },
          { shutdown: 100 },
        ),
      ],
    });
    const inner = await pidOf(h.node, top, 'inner');
    const plain = await pidOf(h.node, inner, 'plain');
    const stubborn = await pidOf(h.node, inner, 'stubborn');
    h.probe.monitor(inner);
    h.probe.monitor(plain);
    const stopped = terminateChild(h.node, top, 'inner');
    await h.clock.advance(99);
    expect(h.node.isAlive(inner)).toBe(true);
    await h.clock.advance(1);
    expect(await stopped).toEqual({ ok: true });
    expect((await h.probe.expectDown(inner, undefined, { within: 0 })).reason).toBe('killed');
    // inner had not reached `plain` yet (reverse order); the fence signalled its link with killed.
    expect((await h.probe.expectDown(plain, undefined, { within: 0 })).reason).toBe('killed');
    // A trapping child turns the same signal into a message: it is told, not killed (as in OTP).
    expect(seen).toMatchObject([
      { from: inner, reason: 'shutdown', time: 0 },
      { from: inner, reason: 'killed', time: 100 },
    ]);
    expect(h.node.isAlive(stubborn)).toBe(true);
    h.node.exit(stubborn, 'kill');
  });

  it('detects the death by a monitor, so a child that unlinked itself is still shut down (item 33)', async () => {
    const h = createHarness();
    const seen: Seen[] = [];
    const unlinker: ProcessFunction = async (ctx) => {
      ctx.unlink(ctx.parent as Pid);
      await trapping(seen)(ctx, undefined);
    };
    const { sup } = await startUnderParent(h.node, {
      children: [trappingSpec('a', 500, unlinker)],
    });
    const a = await pidOf(h.node, sup, 'a');
    await h.clock.settle();
    expect(h.node.processInfo(sup)?.links.some((p) => p.key === a.key)).toBe(false);
    h.probe.monitor(a);
    const stopped = terminateChild(h.node, sup, 'a');
    await h.clock.advance(500);
    expect(await stopped).toEqual({ ok: true });
    expect((await h.probe.expectDown(a, undefined, { within: 0 })).reason).toBe('killed');
    expect(seen).toMatchObject([{ reason: 'shutdown' }]);
  });

  it('keeps the link until the DOWN, then unlinks and flushes the EXIT so the stop is not seen as a crash (item 33)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      children: [trappingSpec('a', 1000, trapping([]))],
    });
    const a = await pidOf(h.node, sup, 'a');
    const stopped = terminateChild(h.node, sup, 'a');
    await h.clock.advance(500);
    expect(h.node.processInfo(sup)?.links.some((p) => p.key === a.key)).toBe(true);
    await h.clock.advance(500);
    await stopped;
    await h.clock.settle();
    const info = h.node.processInfo(sup);
    expect(info?.links.some((p) => p.key === a.key)).toBe(false);
    expect(info?.mailboxSize).toBe(0);
    expect(h.eventsOf('supervisor.child_exited')).toEqual([]);
    expect(h.eventsOf('supervisor.restart')).toEqual([]);
    expect(await whichChildren(h.node, sup)).toEqual([{ id: 'a', pid: undefined, type: 'worker' }]);
  });
});
