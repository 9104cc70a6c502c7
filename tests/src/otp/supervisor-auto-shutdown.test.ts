// docs/semantics.md section 8 (items 37-40): significant children and auto_shutdown.
import {
  type ExitReason,
  isPid,
  isWardenError,
  startSupervisor,
  whichChildren,
} from '@warden/core';
import { describe, expect, it } from 'vitest';
import { createHarness, pidOf, startUnderParent, workerSpec } from './supervisor-harness.js';

const boom = { tag: 'error', name: 'Error', message: 'boom' } as const;

describe('8 auto_shutdown = any_significant', () => {
  it('shuts down with shutdown, terminating the rest in reverse start order, when a transient significant child exits normal (items 37, 38)', async () => {
    const h = createHarness();
    const log: string[] = [];
    const { sup, parentExits } = await startUnderParent(h.node, {
      autoShutdown: 'any_significant',
      children: [
        workerSpec('a', { trap: true, log }),
        workerSpec('s', { restart: 'transient', significant: true, log }),
        workerSpec('c', { trap: true, log }),
      ],
    });
    h.probe.monitor(sup);
    h.node.send(await pidOf(h.node, sup, 's'), { exit: 'normal' });
    expect((await h.probe.expectDown(sup)).reason).toBe('shutdown');
    expect(log).toEqual(['terminate:s', 'terminate:c', 'terminate:a']);
    expect(h.eventsOf('supervisor.auto_shutdown')).toMatchObject([{ supervisor: sup, id: 's' }]);
    expect(h.eventsOf('supervisor.restart')).toEqual([]);
    expect(parentExits).toMatchObject([{ from: sup, reason: 'shutdown' }]);
  });

  it.each<[string, ExitReason]>([
    ['shutdown', 'shutdown'],
    ['{shutdown, _}', { tag: 'shutdown', detail: 'done' }],
  ])('shuts down when a transient significant child exits %s (item 38)', async (_, reason) => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      autoShutdown: 'any_significant',
      children: [workerSpec('s', { restart: 'transient', significant: true }), workerSpec('b')],
    });
    h.probe.monitor(sup);
    h.node.send(await pidOf(h.node, sup, 's'), { exit: reason });
    expect((await h.probe.expectDown(sup)).reason).toBe('shutdown');
  });

  it('restarts a transient significant child that crashes, without shutting down (item 38)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      autoShutdown: 'any_significant',
      children: [workerSpec('s', { restart: 'transient', significant: true })],
    });
    const s0 = await pidOf(h.node, sup, 's');
    h.node.send(s0, 'crash');
    await h.clock.settle();
    expect(h.node.isAlive(sup)).toBe(true);
    const s1 = await pidOf(h.node, sup, 's');
    expect(s1).not.toEqual(s0);
    expect(h.eventsOf('supervisor.restart')).toMatchObject([{ id: 's' }]);
    expect(h.eventsOf('supervisor.auto_shutdown')).toEqual([]);
  });

  it.each<[string, ExitReason | 'crash']>([
    ['normal', 'normal'],
    ['a crash', 'crash'],
    ['killed', 'kill'],
  ])('shuts down when a temporary significant child exits with %s (item 38)', async (_, how) => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      autoShutdown: 'any_significant',
      children: [workerSpec('t', { restart: 'temporary', significant: true }), workerSpec('b')],
    });
    h.probe.monitor(sup);
    const t = await pidOf(h.node, sup, 't');
    if (how === 'crash') h.node.send(t, 'crash');
    else if (how === 'kill') h.node.exit(t, 'kill');
    else h.node.send(t, { exit: how });
    expect((await h.probe.expectDown(sup)).reason).toBe('shutdown');
    expect(h.eventsOf('supervisor.auto_shutdown')).toMatchObject([{ id: 't' }]);
  });

  it('ignores a non-significant child that ends for good (item 38)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      autoShutdown: 'any_significant',
      children: [
        workerSpec('s', { restart: 'transient', significant: true }),
        workerSpec('t', { restart: 'temporary' }),
      ],
    });
    h.node.send(await pidOf(h.node, sup, 't'), { exit: boom });
    await h.clock.settle();
    expect(h.node.isAlive(sup)).toBe(true);
    expect((await whichChildren(h.node, sup)).map((c) => c.id)).toEqual(['s']);
  });
});

describe('8 auto_shutdown = all_significant', () => {
  it('shuts down only when the last significant child has ended (item 39)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      autoShutdown: 'all_significant',
      children: [
        workerSpec('s1', { restart: 'transient', significant: true }),
        workerSpec('s2', { restart: 'temporary', significant: true }),
        workerSpec('other'),
      ],
    });
    h.probe.monitor(sup);
    h.node.send(await pidOf(h.node, sup, 's1'), { exit: 'normal' });
    await h.clock.settle();
    expect(h.node.isAlive(sup)).toBe(true);
    h.node.send(await pidOf(h.node, sup, 's2'), { exit: boom });
    expect((await h.probe.expectDown(sup)).reason).toBe('shutdown');
    expect(h.eventsOf('supervisor.auto_shutdown')).toMatchObject([{ id: 's2' }]);
  });

  it.each(['any_significant', 'all_significant'] as const)(
    'refuses autoShutdown %s for a simple_one_for_one supervisor with ERR_BAD_COMBINATION (item 39)',
    async (autoShutdown) => {
      const h = createHarness();
      const error = await startSupervisor(h.node, {
        strategy: 'simple_one_for_one',
        autoShutdown,
        children: [workerSpec('template', { restart: 'transient' })],
      }).then(
        () => expect.fail('startSupervisor resolved'),
        (e: unknown) => e,
      );
      expect(isWardenError(error, 'ERR_BAD_COMBINATION')).toBe(true);
      expect((error as { field?: string }).field).toBe('autoShutdown');
      expect(h.node.processes()).toEqual([h.probe.pid]);
      const sup = await startSupervisor(h.node, {
        strategy: 'simple_one_for_one',
        autoShutdown: 'never',
        children: [workerSpec('template', { restart: 'transient' })],
      });
      expect(isPid(sup)).toBe(true);
    },
  );
});

describe('8 Terminations the supervisor causes', () => {
  it('does not auto-shut down when a sibling cascade terminates a significant child (item 40)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      strategy: 'one_for_all',
      autoShutdown: 'any_significant',
      intensity: 5,
      children: [
        workerSpec('s', { restart: 'transient', significant: true }),
        workerSpec('t', { restart: 'temporary', significant: true }),
        workerSpec('p'),
      ],
    });
    const s0 = await pidOf(h.node, sup, 's');
    h.node.send(await pidOf(h.node, sup, 'p'), 'crash');
    await h.clock.settle();
    expect(h.node.isAlive(sup)).toBe(true);
    expect(h.eventsOf('supervisor.auto_shutdown')).toEqual([]);
    // The temporary significant child was terminated and removed; the transient one restarted.
    const rows = await whichChildren(h.node, sup);
    expect(rows.map((c) => c.id)).toEqual(['s', 'p']);
    expect(rows[0]?.pid).not.toEqual(s0);
    expect(rows.every((c) => isPid(c.pid))).toBe(true);
  });

  it('does not auto-shut down (all_significant) when the supervisor terminates its children at its own shutdown (item 40)', async () => {
    const h = createHarness();
    const { sup, stopSupervisor } = await startUnderParent(h.node, {
      autoShutdown: 'all_significant',
      children: [workerSpec('s', { restart: 'transient', significant: true })],
    });
    h.probe.monitor(sup);
    stopSupervisor();
    expect((await h.probe.expectDown(sup)).reason).toBe('shutdown');
    expect(h.eventsOf('supervisor.auto_shutdown')).toEqual([]);
  });
});
