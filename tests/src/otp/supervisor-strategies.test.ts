// docs/semantics.md section 4 (items 19-22): which children a restart touches, and in what order.
import {
  type ChildSpec,
  createNode,
  defineActor,
  type Node,
  type NodeEvent,
  type Pid,
  type Strategy,
  startSupervisor,
  whichChildren,
} from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';

interface Args {
  readonly id: string;
  readonly log: string[];
  /** terminate never finishes, so only a kill stops the child. */
  readonly hang?: boolean;
}

/** Traps exits so that terminate runs (and is logged) when the supervisor stops it. */
const worker = defineActor<Args, Args>({
  init: (args, ctx) => {
    args.log.push(`init:${args.id}`);
    ctx.trapExit(true);
    return args;
  },
  handleInfo: (msg, args) => {
    if (msg === 'crash') throw new Error(`crash ${args.id}`);
    return args;
  },
  terminate: (_reason, { id, log, hang }) => {
    log.push(`terminate:${id}`);
    return hang === true ? new Promise<void>(() => {}) : undefined;
  },
});

interface Tree {
  clock: TestClock;
  node: Node;
  sup: Pid;
  log: string[];
  events: NodeEvent[];
}

async function tree(
  strategy: Strategy,
  ids: string[],
  options: {
    intensity?: number;
    specs?: Record<string, Partial<ChildSpec> & { hang?: boolean }>;
  } = {},
): Promise<Tree> {
  const clock = new TestClock();
  const node = createNode({ name: 'strategies', clock });
  const log: string[] = [];
  const children = ids.map((id): ChildSpec => {
    const { hang, ...extra } = options.specs?.[id] ?? {};
    const args: Args = hang === undefined ? { id, log } : { id, log, hang };
    return { id, start: { behaviour: worker, args }, ...extra };
  });
  const sup = (await startSupervisor(node, {
    strategy,
    intensity: options.intensity ?? 10,
    period: 5000,
    children,
  })) as Pid;
  const events: NodeEvent[] = [];
  node.inspect((e) => {
    if (e.type.startsWith('supervisor.') || e.type === 'actor.exited') events.push(e);
  });
  log.length = 0; // keep only what happens after start-up
  return { clock, node, sup, log, events };
}

async function pids(t: Tree): Promise<Record<string, Pid | 'restarting' | undefined>> {
  const rows = await whichChildren(t.node, t.sup);
  return Object.fromEntries(rows.map((r) => [r.id as string, r.pid]));
}

async function crash(t: Tree, id: string): Promise<void> {
  const before = await pids(t);
  t.node.send(before[id] as Pid, 'crash');
  await t.clock.settle();
}

const ofType = (t: Tree, type: NodeEvent['type']) => t.events.filter((e) => e.type === type);

/** Which of `ids` have a new pid and which kept theirs. */
function changed(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, boolean> {
  return Object.fromEntries(Object.keys(before).map((id) => [id, before[id] !== after[id]]));
}

describe('4 Strategies', () => {
  it('restarts only the failed child under one_for_one (item 19)', async () => {
    const t = await tree('one_for_one', ['a', 'b', 'c']);
    const before = await pids(t);
    await crash(t, 'b');
    expect(changed(before, await pids(t))).toEqual({ a: false, b: true, c: false });
    expect(t.log).toEqual(['terminate:b', 'init:b']);
  });

  it('terminates the others in reverse start order, then restarts all in start order under one_for_all (item 20)', async () => {
    const t = await tree('one_for_all', ['a', 'b', 'c', 'd']);
    const before = await pids(t);
    await crash(t, 'b');
    // b's own terminate runs as it crashes; then the supervisor's work.
    expect(t.log).toEqual([
      'terminate:b',
      'terminate:d',
      'terminate:c',
      'terminate:a',
      'init:a',
      'init:b',
      'init:c',
      'init:d',
    ]);
    expect(changed(before, await pids(t))).toEqual({ a: true, b: true, c: true, d: true });
    const exited = ofType(t, 'actor.exited').map((e) => (e as { pid: Pid }).pid);
    expect(exited).toEqual([before.b, before.d, before.c, before.a]);
    const started = ofType(t, 'supervisor.child_started').map((e) => (e as { id: string }).id);
    expect(started).toEqual(['a', 'b', 'c', 'd']);
  });

  it('stops each sibling by its own shutdown spec under one_for_all (item 20)', async () => {
    const t = await tree('one_for_all', ['a', 'b', 'c'], {
      specs: { a: { shutdown: 'brutal_kill' }, c: { shutdown: 200, hang: true } },
    });
    const before = await pids(t);
    await crash(t, 'b');
    expect(t.log).toEqual(['terminate:b', 'terminate:c']);
    await t.clock.advance(199);
    expect(t.node.isAlive(before.c as Pid)).toBe(true);
    expect(t.node.isAlive(before.a as Pid)).toBe(true);
    await t.clock.advance(1);
    expect(t.node.isAlive(before.c as Pid)).toBe(false);
    expect(t.node.isAlive(before.a as Pid)).toBe(false);
    // a was killed outright: its terminate never ran.
    expect(t.log).toEqual(['terminate:b', 'terminate:c', 'init:a', 'init:b', 'init:c']);
    const exits = ofType(t, 'actor.exited') as { pid: Pid; reason: unknown; time: number }[];
    expect(exits.map((e) => [e.pid, e.reason, e.time])).toEqual([
      [before.b, expect.objectContaining({ tag: 'error' }), 0],
      [before.c, 'killed', 200],
      [before.a, 'killed', 200],
    ]);
    expect(changed(before, await pids(t))).toEqual({ a: true, b: true, c: true });
  });

  it('restarts the failed child and those after it, leaving earlier ones untouched, under rest_for_one (item 21)', async () => {
    const t = await tree('rest_for_one', ['a', 'b', 'c', 'd']);
    const before = await pids(t);
    await crash(t, 'b');
    expect(t.log).toEqual([
      'terminate:b',
      'terminate:d',
      'terminate:c',
      'init:b',
      'init:c',
      'init:d',
    ]);
    expect(changed(before, await pids(t))).toEqual({ a: false, b: true, c: true, d: true });
    expect(t.node.isAlive(before.a as Pid)).toBe(true);
  });

  it('restarts only the last child under rest_for_one when the last one fails (item 21)', async () => {
    const t = await tree('rest_for_one', ['a', 'b', 'c']);
    const before = await pids(t);
    await crash(t, 'c');
    expect(t.log).toEqual(['terminate:c', 'init:c']);
    expect(changed(before, await pids(t))).toEqual({ a: false, b: false, c: true });
  });
});

describe('4 A group restart is one restart', () => {
  it.each(['one_for_all', 'rest_for_one'] as const)(
    'counts a %s group restart of 3 children as one restart towards intensity 1 (item 22)',
    async (strategy) => {
      const t = await tree(strategy, ['a', 'b', 'c'], { intensity: 1 });
      const before = await pids(t);
      await crash(t, 'a');
      expect(t.node.isAlive(t.sup)).toBe(true);
      expect(changed(before, await pids(t))).toEqual({ a: true, b: true, c: true });
      expect(ofType(t, 'supervisor.restart')).toHaveLength(1);
      expect(ofType(t, 'supervisor.escalated')).toEqual([]);
      // It was counted: a second restart within the period exceeds intensity 1.
      await t.clock.advance(1000);
      await crash(t, 'c');
      expect(t.node.isAlive(t.sup)).toBe(false);
      expect(ofType(t, 'supervisor.escalated')).toMatchObject([{ restarts: 2 }]);
    },
  );
});
