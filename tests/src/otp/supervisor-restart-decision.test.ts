// docs/semantics.md section 3 (items 14-18): whether a child that exits is restarted.
import {
  createNode,
  defineActor,
  type ExitReason,
  isPid,
  type Node,
  type NodeEvent,
  type Pid,
  type RestartType,
  type Strategy,
  shutdownWith,
  startSupervisor,
  stop,
  whichChildren,
} from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';

/** Counts its inits in `starts`; crashes on 'crash'; stops with R on { exit: R }. */
function makeWorker(starts: Map<string, number>) {
  return defineActor<string, string>({
    init: (id) => {
      starts.set(id, (starts.get(id) ?? 0) + 1);
      return id;
    },
    handleInfo: (msg: unknown, id) => {
      if (msg === 'crash') throw new Error(`crash ${id}`);
      if (typeof msg === 'object' && msg !== null && 'exit' in msg) {
        return stop((msg as { exit: ExitReason }).exit, id);
      }
      return id;
    },
  });
}

interface Tree {
  clock: TestClock;
  node: Node;
  sup: Pid;
  starts: Map<string, number>;
  events: NodeEvent[];
}

async function tree(
  strategy: Strategy,
  children: [string, RestartType][],
  intensity = 10,
): Promise<Tree> {
  const clock = new TestClock();
  const node = createNode({ name: 'restart', clock });
  const starts = new Map<string, number>();
  const worker = makeWorker(starts);
  const sup = (await startSupervisor(node, {
    strategy,
    intensity,
    children: children.map(([id, restart]) => ({
      id,
      restart,
      start: { behaviour: worker, args: id },
    })),
  })) as Pid;
  const events: NodeEvent[] = [];
  node.inspect((e) => {
    if (e.type.startsWith('supervisor.')) events.push(e);
  });
  return { clock, node, sup, starts, events };
}

async function pids(t: Tree): Promise<Record<string, Pid | 'restarting' | undefined>> {
  const rows = await whichChildren(t.node, t.sup);
  return Object.fromEntries(rows.map((r) => [r.id as string, r.pid]));
}

const ofType = (t: Tree, type: NodeEvent['type']) => t.events.filter((e) => e.type === type);

type Cause = (t: Tree, pid: Pid) => void;
const exitWith =
  (reason: ExitReason): Cause =>
  (t, pid) =>
    t.node.send(pid, { exit: reason });

const reasons: [string, Cause, Record<string, unknown> | string][] = [
  ['normal', exitWith('normal'), 'normal'],
  ['shutdown', exitWith('shutdown'), 'shutdown'],
  ['{shutdown, _}', exitWith(shutdownWith('bye')), { tag: 'shutdown', detail: 'bye' }],
  ['killed', (t, pid) => t.node.exit(pid, 'kill'), 'killed'],
  ['noproc', exitWith('noproc'), 'noproc'],
  ['an error', (t, pid) => t.node.send(pid, 'crash'), { tag: 'error', message: 'crash c' }],
];

const restarted: Record<RestartType, boolean[]> = {
  permanent: [true, true, true, true, true, true],
  transient: [false, false, false, true, true, true],
  temporary: [false, false, false, false, false, false],
};

const item: Record<RestartType, number> = { permanent: 14, transient: 15, temporary: 16 };

const table = (['permanent', 'transient', 'temporary'] as const).flatMap((type) =>
  reasons.map(([name, cause, reason], i) => {
    const yes = restarted[type][i] as boolean;
    const title = `${yes ? 'restarts' : 'does not restart'} a ${type} child exiting ${name} (item ${item[type]})`;
    return { title, type, cause, reason, yes };
  }),
);

describe('3 Restart decision when a child exits', () => {
  it.each(table)('$title', async ({ type, cause, reason, yes }) => {
    const t = await tree('one_for_one', [
      ['before', 'permanent'],
      ['c', type],
      ['after', 'permanent'],
    ]);
    const before = await pids(t);
    cause(t, before.c as Pid);
    await t.clock.settle();
    expect(t.node.isAlive(t.sup)).toBe(true);
    expect(t.node.isAlive(before.c as Pid)).toBe(false);
    // Every exit is reported, restarted or not (items 14, 16).
    expect(ofType(t, 'supervisor.child_exited')).toMatchObject([{ id: 'c', reason }]);
    const after = await pids(t);
    if (yes) {
      expect(isPid(after.c) && after.c !== before.c).toBe(true);
      expect(t.starts.get('c')).toBe(2);
      expect(ofType(t, 'supervisor.restart')).toMatchObject([{ id: 'c' }]);
    } else {
      expect(t.starts.get('c')).toBe(1);
      expect(ofType(t, 'supervisor.restart')).toEqual([]);
      if (type === 'temporary') expect(Object.keys(after)).toEqual(['before', 'after']);
      else expect(Object.keys(after)).toEqual(['before', 'c', 'after']);
      expect(after.c).toBeUndefined();
    }
    expect(after.before).toEqual(before.before);
    expect(after.after).toEqual(before.after);
  });

  it.each(['one_for_all', 'rest_for_one'] as const)(
    'removes and never restarts a temporary child terminated by a sibling crash under %s (item 16)',
    async (strategy) => {
      const t = await tree(strategy, [
        ['a', 'permanent'],
        ['t', 'temporary'],
        ['c', 'permanent'],
      ]);
      const before = await pids(t);
      t.node.send(before.a as Pid, 'crash');
      await t.clock.settle();
      expect(t.node.isAlive(before.t as Pid)).toBe(false);
      const after = await pids(t);
      expect(Object.keys(after)).toEqual(['a', 'c']);
      expect(t.starts.get('t')).toBe(1);
      expect(t.starts.get('a')).toBe(2);
      expect(t.starts.get('c')).toBe(2);
      expect(ofType(t, 'supervisor.child_started').map((e) => (e as { id: string }).id)).toEqual([
        'a',
        'c',
      ]);
    },
  );
});

describe('3 Messages from strangers', () => {
  it('ignores an EXIT from a linked process that is not a child (item 17)', async () => {
    const t = await tree('one_for_one', [['a', 'permanent']]);
    const before = await pids(t);
    const stranger = t.node.spawn(async (ctx) => {
      ctx.link(t.sup);
      throw new Error('stranger dies');
    });
    await t.clock.settle();
    expect(t.node.isAlive(stranger)).toBe(false);
    expect(t.node.isAlive(t.sup)).toBe(true);
    expect(await pids(t)).toEqual(before);
    expect(t.events).toEqual([]);
  });

  it('ignores an exit signal from a process that is not its parent (item 17)', async () => {
    const t = await tree('one_for_one', [['a', 'permanent']]);
    const before = await pids(t);
    t.node.exit(t.sup, { tag: 'error', name: 'Error', message: 'not yours' });
    t.node.exit(t.sup, 'shutdown');
    await t.clock.settle();
    expect(t.node.isAlive(t.sup)).toBe(true);
    expect(await pids(t)).toEqual(before);
    expect(t.events).toEqual([]);
  });

  it('reports any other message as supervisor.unexpected_message and keeps running (item 17)', async () => {
    const t = await tree('one_for_one', [['a', 'permanent']]);
    const before = await pids(t);
    t.node.send(t.sup, { hello: 'sup' });
    t.node.send(t.sup, 'stray');
    await t.clock.settle();
    expect(t.node.isAlive(t.sup)).toBe(true);
    expect(ofType(t, 'supervisor.unexpected_message')).toMatchObject([
      { supervisor: t.sup, message: { hello: 'sup' } },
      { supervisor: t.sup, message: 'stray' },
    ]);
    expect(await pids(t)).toEqual(before);
  });

  it('reports an unexpected cast as supervisor.unexpected_message and keeps running (item 17)', async () => {
    const t = await tree('one_for_one', [['a', 'permanent']]);
    t.node.cast(t.sup, { surprise: true });
    await t.clock.settle();
    expect(t.node.isAlive(t.sup)).toBe(true);
    expect(ofType(t, 'supervisor.unexpected_message')).toHaveLength(1);
  });
});

describe('3 Exits without a restart', () => {
  const cases: [Strategy, RestartType, ExitReason][] = [
    ['one_for_all', 'transient', 'normal'],
    ['one_for_all', 'transient', shutdownWith('done')],
    ['one_for_all', 'temporary', { tag: 'error', name: 'Error', message: 'x' }],
    ['rest_for_one', 'transient', 'shutdown'],
    ['rest_for_one', 'temporary', 'killed'],
  ];

  it.each(cases)(
    'never terminates siblings under %s when a %s child exits without restart (item 18)',
    async (strategy, type, reason) => {
      const t = await tree(strategy, [
        ['a', 'permanent'],
        ['b', type],
        ['c', 'permanent'],
      ]);
      const before = await pids(t);
      if (reason === 'killed') t.node.exit(before.b as Pid, 'kill');
      else t.node.send(before.b as Pid, { exit: reason });
      await t.clock.settle();
      const after = await pids(t);
      expect(after.a).toEqual(before.a);
      expect(after.c).toEqual(before.c);
      expect(t.node.isAlive(before.a as Pid) && t.node.isAlive(before.c as Pid)).toBe(true);
      expect(after.b).toBeUndefined();
      expect([...t.starts.values()]).toEqual([1, 1, 1]);
      expect(ofType(t, 'supervisor.restart')).toEqual([]);
    },
  );
});
