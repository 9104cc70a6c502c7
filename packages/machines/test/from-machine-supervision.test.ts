// A machine that fails exits its process with the error, so its supervisor restarts it
// (docs/semantics.md items 14-15).
import { createNode, type ExitReason, startSupervisor, whichChildren } from '@warden/core';
import { TestClock, TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { fromMachine, getSnapshot } from '../src/index.js';
import { timeBomb, trafficLight } from './machines-fixtures.js';

function setup() {
  const clock = new TestClock();
  const node = createNode({ name: 'machines', clock });
  const exits: ExitReason[] = [];
  node.inspect((e) => {
    if (e.type === 'supervisor.child_exited') exits.push(e.reason);
  });
  return { clock, node, exits };
}

describe('machine errors under a supervisor', () => {
  it('exits with the error an action throws, and a permanent child restarts in its initial state (item 14)', async () => {
    const { clock, node, exits } = setup();
    await startSupervisor(node, {
      strategy: 'one_for_one',
      intensity: 3,
      period: 5000,
      children: [
        {
          id: 'light',
          start: (ctx) => ctx.spawnLink(fromMachine(trafficLight), { name: 'light' }),
        },
      ],
    });
    node.send('light', { type: 'count' });
    expect(await getSnapshot(node, 'light')).toMatchObject({ context: { count: 1 } });
    const before = node.whereis('light');
    node.send('light', { type: 'boom' });
    await clock.settle();
    expect(exits).toEqual([expect.objectContaining({ tag: 'error', message: 'light exploded' })]);
    const after = node.whereis('light');
    expect(after).toBeDefined();
    expect(after).not.toEqual(before);
    expect(await getSnapshot(node, 'light')).toMatchObject({
      value: 'green',
      context: { count: 0 },
    });
  });

  it('exits with the error of a delayed transition, outside any message, and is restarted (item 15)', async () => {
    const { clock, node, exits } = setup();
    const sup = await startSupervisor(node, {
      strategy: 'one_for_one',
      intensity: 5,
      period: 5000,
      children: [{ id: 'bomb', restart: 'transient', start: { behaviour: fromMachine(timeBomb) } }],
    });
    await clock.advance(500);
    expect(exits).toEqual([expect.objectContaining({ tag: 'error', message: 'time is up' })]);
    const [child] = await whichChildren(node, sup as never);
    expect(child?.pid).toBeDefined();
    expect(await getSnapshot(node, child?.pid as never)).toMatchObject({ value: 'ticking' });
  });

  it('stops the xstate actor when the process is killed, so its timers never fire into a dead process', async () => {
    const { clock, node } = setup();
    const probe = new TestProbe(node);
    const pid = node.spawn(fromMachine(timeBomb));
    probe.monitor(pid);
    node.exit(pid, 'kill');
    await probe.expectDown(pid, 'killed');
    await clock.advance(1000);
    expect(clock.pendingTimers).toBe(0);
    expect(node.deadLetters.count).toBe(0);
  });
});
