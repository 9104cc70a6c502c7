// fromMachine: an xstate v5 machine run as a warden actor.
import { createNode, isWardenError } from '@warden/core';
import { TestClock, TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import {
  fromMachine,
  getSnapshot,
  inspectMachines,
  isMachinesError,
  type MachineInspectionEvent,
  sendEvent,
} from '../src/index.js';
import { fetcher, trafficLight } from './machines-fixtures.js';

function setup() {
  const clock = new TestClock();
  const node = createNode({ name: 'machines', clock });
  return { clock, node };
}

describe('messages, calls and the snapshot', () => {
  it('turns sent and cast messages into events, and reads the snapshot through a call', async () => {
    const { node } = setup();
    const pid = node.spawn(fromMachine(trafficLight));
    node.send(pid, { type: 'count' });
    node.cast(pid, 'count');
    node.send(pid, 42);
    const snapshot = await getSnapshot<{ count: number }>(node, pid);
    expect(snapshot).toMatchObject({ status: 'active', value: 'green', context: { count: 2 } });
  });

  it('sends an event with a call and replies with the snapshot that follows it', async () => {
    const { node } = setup();
    const pid = node.spawn(fromMachine(trafficLight));
    expect(await sendEvent(node, pid, { type: 'count' })).toMatchObject({ context: { count: 1 } });
  });

  it('passes spawn args to the machine as its input', async () => {
    const { clock, node } = setup();
    const pid = node.spawn(fromMachine(trafficLight), { args: { cycleMs: 50 } });
    await clock.advance(50);
    expect((await getSnapshot(node, pid)).value).toBe('yellow');
  });
});

describe('delayed transitions on the node clock', () => {
  it('runs after-transitions on TestClock time, not real time', async () => {
    const { clock, node } = setup();
    const pid = node.spawn(fromMachine(trafficLight));
    await clock.advance(999);
    expect((await getSnapshot(node, pid)).value).toBe('green');
    await clock.advance(1);
    expect((await getSnapshot(node, pid)).value).toBe('yellow');
    await clock.advance(200);
    expect((await getSnapshot(node, pid)).value).toBe('red');
  });

  it('cancels the machine timers when the process is killed', async () => {
    const { clock, node } = setup();
    const pid = node.spawn(fromMachine(trafficLight));
    await clock.settle();
    expect(clock.pendingTimers).toBe(1);
    node.exit(pid, 'kill');
    await clock.settle();
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('how a machine process ends', () => {
  it('exits normal when an event takes the machine to a final state', async () => {
    const { node } = setup();
    const probe = new TestProbe(node);
    const pid = node.spawn(fromMachine(trafficLight));
    probe.monitor(pid);
    node.send(pid, { type: 'timer.stop' });
    await probe.expectDown(pid, 'normal');
    expect(node.isAlive(pid)).toBe(false);
  });

  it('replies to the call that ends it before exiting normal', async () => {
    const { node } = setup();
    const pid = node.spawn(fromMachine(trafficLight));
    const snapshot = await sendEvent(node, pid, { type: 'timer.stop' });
    expect(snapshot).toMatchObject({ status: 'done', value: 'off' });
  });

  it('exits normal when an invoked promise takes it to a final state outside any message', async () => {
    const { clock, node } = setup();
    const probe = new TestProbe(node);
    const pid = node.spawn(fromMachine(fetcher));
    probe.monitor(pid);
    await clock.settle();
    await probe.expectDown(pid, 'normal');
  });

  it('rejects a call made after the machine ended with ERR_NOPROC (item 51)', async () => {
    const { node } = setup();
    const pid = node.spawn(fromMachine(trafficLight));
    await sendEvent(node, pid, { type: 'timer.stop' });
    const error = await getSnapshot(node, pid).catch((e: unknown) => e);
    expect(isWardenError(error, 'ERR_NOPROC')).toBe(true);
  });
});

describe('inspection', () => {
  it('forwards xstate inspection events to onInspect and to inspectMachines observers, with the pid', async () => {
    const { clock, node } = setup();
    const direct: MachineInspectionEvent[] = [];
    const observed: MachineInspectionEvent[] = [];
    const off = inspectMachines(node, (e) => observed.push(e));
    const pid = node.spawn(fromMachine(trafficLight, { onInspect: (e) => direct.push(e) }));
    await clock.advance(1000);
    off();
    node.send(pid, { type: 'count' });
    await clock.settle();
    const types = new Set(direct.map((e) => e.type));
    expect([...types]).toEqual(
      expect.arrayContaining(['xstate.actor', 'xstate.event', 'xstate.snapshot']),
    );
    const moved = direct.find((e) => e.type === 'xstate.snapshot' && e.value === 'yellow');
    expect(moved).toMatchObject({ time: 1000, pid });
    expect(observed.length).toBeGreaterThan(0);
    expect(observed.length).toBeLessThan(direct.length);
  });
});

describe('inspection through the node', () => {
  it('publishes xstate inspection events into the node event stream', async () => {
    const { clock, node } = setup();
    const published: { type: string }[] = [];
    node.inspect((e) => {
      if (e.type === 'published') published.push(e.event);
    });
    node.spawn(fromMachine(trafficLight));
    await clock.advance(1000);
    const types = new Set(published.map((e) => e.type));
    expect([...types]).toEqual(expect.arrayContaining(['xstate.actor', 'xstate.snapshot']));
    expect(published.find((e) => (e as MachineInspectionEvent).value === 'yellow')).toBeDefined();
  });
});

describe('inspection cost', () => {
  it('inspects only machines started while someone listens', async () => {
    const { clock, node } = setup();
    const quiet = node.spawn(fromMachine(trafficLight));
    await clock.settle(); // its init (where the xstate actor is made) has run
    const seen: MachineInspectionEvent[] = [];
    inspectMachines(node, (e) => seen.push(e));
    const watched = node.spawn(fromMachine(trafficLight));
    await clock.advance(1000);
    expect(seen.some((e) => e.pid.id === watched.id)).toBe(true);
    expect(seen.some((e) => e.pid.id === quiet.id)).toBe(false);
  });
});

describe('bad input', () => {
  it('rejects something that is not a machine, and options of the wrong type, naming the field', () => {
    const fieldOf = (make: () => unknown): string | undefined => {
      try {
        make();
      } catch (error) {
        return isMachinesError(error, 'ERR_INVALID_OPTION')
          ? (error as { field: string }).field
          : 'other';
      }
      return undefined;
    };
    expect(fieldOf(() => fromMachine({} as never))).toBe('machine');
    expect(fieldOf(() => fromMachine(trafficLight, { onInspect: 'log' as never }))).toBe(
      'onInspect',
    );
    expect(fieldOf(() => fromMachine(trafficLight, { toEvent: 1 as never }))).toBe('toEvent');
  });
});
