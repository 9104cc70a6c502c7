import { describe, expect, it } from 'vitest';
import {
  countChildren,
  createNode,
  defineActor,
  isWardenError,
  type Pid,
  startSupervisor,
  whichChildren,
} from '../src/index.js';
import { TestClock, TestProbe } from '../src/testing/index.js';

const worker = defineActor<string, string>({
  init: (name) => name,
  handleInfo: (msg, s) => {
    if (msg === 'crash') throw new Error('crash');
    return s;
  },
});

describe('supervisor smoke', () => {
  it('restarts a crashed child under one_for_one and escalates past intensity', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const events: string[] = [];
    node.inspect((e) => {
      if (e.type.startsWith('supervisor.')) events.push(e.type);
    });
    const sup = (await startSupervisor(node, {
      intensity: 1,
      period: 5000,
      children: [
        { id: 'a', start: { behaviour: worker, args: 'a' } },
        { id: 'b', start: { behaviour: worker, args: 'b' } },
      ],
    })) as Pid;
    const probe = new TestProbe(node);
    probe.monitor(sup);
    const before = await whichChildren(node, sup);
    node.send(before[0]?.pid as Pid, 'crash');
    await clock.settle();
    const after = await whichChildren(node, sup);
    expect(after[0]?.pid).not.toEqual(before[0]?.pid);
    expect(after[1]?.pid).toEqual(before[1]?.pid);
    expect(await countChildren(node, sup)).toEqual({
      specs: 2,
      active: 2,
      supervisors: 0,
      workers: 2,
    });
    node.send(after[1]?.pid as Pid, 'crash');
    const down = await probe.expectDown(sup);
    expect(down.reason).toBe('shutdown');
    expect(events).toContain('supervisor.escalated');
    expect(node.processes().filter((p) => p.id !== probe.pid.id)).toEqual([]);
  });

  it('fails to start when a child fails', async () => {
    const node = createNode({ name: 'a', clock: new TestClock() });
    const bad = defineActor({
      init: () => {
        throw new Error('nope');
      },
    });
    const err = await startSupervisor(node, {
      children: [
        { id: 'ok', start: { behaviour: worker, args: 'x' } },
        { id: 'bad', start: { behaviour: bad } },
      ],
    }).catch((e) => e);
    expect(isWardenError(err, 'ERR_START_FAILED')).toBe(true);
    expect(err.reason).toMatchObject({ tag: 'shutdown', detail: { failedToStartChild: 'bad' } });
    expect(node.processes()).toEqual([]);
  });
});
