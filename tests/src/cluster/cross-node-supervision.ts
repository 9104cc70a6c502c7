// A supervisor on one node with a child on another: docs/semantics.md items 14, 19, 30 and 44
// across nodes. The start function asks a helper on the far node to spawn the child; the
// supervisor links to the pid it returns (the function form of a child start).
import {
  type ActorContext,
  type ChildInfo,
  isPid,
  type Node,
  type Pid,
  startSupervisor,
  terminateChild,
  whichChildren,
} from '@warden/core';
import { TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { clusterOpener, type MakeCluster } from './cluster.js';
import { BOOM, spawner } from './remote-actors.js';

/** Starts a one_for_one supervisor on `home` whose child `remote` lives where `helper` runs. */
async function superviseRemote(home: Node, helper: Pid): Promise<Pid> {
  const sup = await startSupervisor(home, {
    strategy: 'one_for_one',
    intensity: 3,
    period: 5000,
    children: [
      {
        id: 'remote',
        start: (ctx: ActorContext) => ctx.call<Pid>(helper, 'spawn'),
        shutdown: 1000,
      },
    ],
  });
  if (!isPid(sup)) throw new Error('the supervisor did not start');
  return sup;
}

async function childPid(home: Node, sup: Pid): Promise<Pid> {
  const [child] = await whichChildren(home, sup);
  const pid = (child as ChildInfo).pid;
  if (!isPid(pid)) throw new Error(`child is not running: ${String(pid)}`);
  return pid;
}

export function supervisionSuite(make: MakeCluster): void {
  const open = clusterOpener(make);

  describe('supervising a child on another node (items 14, 19, 30)', () => {
    it('restarts a child on the far node when it crashes (items 14, 19, 44)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const sup = await superviseRemote(a, b.spawn(spawner));
      const first = await childPid(a, sup);
      expect(first.node).toBe('b');
      await clock.settle();
      expect(b.processInfo(first)?.links.map((p) => p.key)).toEqual([sup.key]);

      const watch = new TestProbe(b);
      const ref = watch.monitor(first);
      b.send(first, 'crash');
      expect((await watch.expectDown(ref)).reason).toMatchObject(BOOM);
      await clock.settle();

      const second = await childPid(a, sup);
      expect(second.node).toBe('b');
      expect(second.key).not.toBe(first.key);
      expect(b.isAlive(second)).toBe(true);
      expect(a.isAlive(sup)).toBe(true);
    });

    it('terminates a child on the far node with the shutdown protocol (item 30)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const sup = await superviseRemote(a, b.spawn(spawner));
      const child = await childPid(a, sup);
      const watch = new TestProbe(b);
      const ref = watch.monitor(child);
      await clock.settle();
      expect(await terminateChild(a, sup, 'remote')).toEqual({ ok: true });
      expect((await watch.expectDown(ref, undefined, { within: 0 })).reason).toBe('shutdown');
      const [info] = await whichChildren(a, sup);
      expect(info?.pid).toBeUndefined();
      await clock.advance(10_000);
      expect(a.isAlive(sup)).toBe(true);
    });
  });
}
