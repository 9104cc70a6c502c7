import { runTask } from '@warden/agents';
import {
  createNode,
  defineActor,
  type NodeEvent,
  Pid,
  startSupervisor,
  whichChildren,
} from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import {
  DASHBOARD_DEFAULTS,
  DashboardModel,
  type DashboardModelLimits,
  type ProcessView,
} from '../src/index.js';
import { TimeSeries } from '../src/internal/time-series.js';
import { ApprovalDesk, MemoryEffectJournal, opsAgent, type Ran } from './world.js';

const worker = defineActor<null, undefined>({
  init: () => null,
  handleInfo: (message, state) => {
    if (message === 'crash') throw new Error('boom');
    return state;
  },
});

/** A node on a TestClock whose every event feeds a model. */
function watched(limits: Partial<DashboardModelLimits> = {}) {
  const clock = new TestClock();
  const node = createNode({ name: 'n1', clock });
  const model = new DashboardModel('n1', { ...DASHBOARD_DEFAULTS, ...limits });
  node.inspect((event) => model.onEvent(event));
  const view = () =>
    model.view(clock.now(), { mailboxOf: (pid) => node.processInfo(pid)?.mailboxSize });
  const byLabel = (label: string): ProcessView | undefined =>
    view().processes.find((p) => p.childId === label || p.name === label);
  return { clock, node, model, view, byLabel };
}

describe('the dashboard model', () => {
  it('keeps one entry per supervised child across restarts, with its count and last exit', async () => {
    const { clock, node, view, byLabel } = watched();
    const sup = await startSupervisor(node, {
      strategy: 'one_for_one',
      intensity: 5,
      period: 60_000,
      children: [
        { id: 'worker-1', start: { behaviour: worker } },
        { id: 'worker-2', start: { behaviour: worker } },
      ],
    });
    await clock.settle();
    const before = byLabel('worker-1') as ProcessView;
    expect(before).toMatchObject({ alive: true, restarts: 0, kind: 'process' });
    expect(byLabel('worker-1')?.parent).toBe(
      view().processes.find((p) => p.kind === 'supervisor')?.key,
    );

    const [first] = await whichChildren(node, sup as Pid);
    node.exit(first?.pid as Pid, 'kill');
    await clock.advance(1_500);
    const after = byLabel('worker-1') as ProcessView;
    expect(after).toMatchObject({ key: before.key, alive: true, restarts: 1, exit: 'killed' });
    expect(after.pid).not.toBe(before.pid);
    expect(view().processes.filter((p) => p.childId === 'worker-1')).toHaveLength(1);

    node.send((await whichChildren(node, sup as Pid))[0]?.pid as Pid, 'crash');
    await clock.settle();
    expect(byLabel('worker-1')).toMatchObject({ restarts: 2, exit: '{error, Error: boom}' });
    const v = view();
    expect(v.totals).toMatchObject({ restarts: 2, crashes: 1 });
    // Restarts over time: one in the first second's bucket, one in the second's.
    expect(v.series.restarts.values.slice(-2)).toEqual([1, 1]);
    expect(v.series.restarts.bucketMs).toBe(1_000);
    expect(byLabel('worker-2')).toMatchObject({ restarts: 0, exit: undefined });
  });

  it('drops a process that ends cleanly outside a supervisor and keeps one that died, bounded', async () => {
    const { clock, node, view } = watched({ maxExited: 2 });
    const clean = node.spawn(worker);
    const crashed = [node.spawn(worker), node.spawn(worker), node.spawn(worker)];
    await clock.settle();
    expect(view().processes).toHaveLength(4);
    await node.stopProcess(clean);
    for (const pid of crashed) node.send(pid, 'crash');
    await clock.settle();
    const left = view().processes;
    // The clean exit left; of the three crashes the last two stay, with their reason.
    expect(left.map((p) => p.pid)).toEqual(crashed.slice(1).map((p) => p.toString()));
    expect(left.every((p) => !p.alive && p.exit === '{error, Error: boom}')).toBe(true);
  });

  it('follows an agent through its steps, tool calls and answer, with its trace and tokens', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'n1', clock });
    const model = new DashboardModel('n1', DASHBOARD_DEFAULTS);
    const states: string[] = [];
    const desk = new ApprovalDesk({ clock });
    const journal = new MemoryEffectJournal();
    const ran: Ran[] = [];
    const { agent } = opsAgent(
      clock,
      'ops',
      [{ toolCalls: [{ name: 'lookup', input: { name: 'ann' } }] }, { text: 'Ann is on pro.' }],
      { desk, journal, ran },
    );
    node.inspect((event: NodeEvent) => {
      model.onEvent(event);
      const state = model.view(clock.now()).processes.find((p) => p.kind === 'agent')?.agent?.state;
      if (state !== undefined && states.at(-1) !== state) states.push(state);
    });
    const pid = node.spawn(agent);
    const result = runTask(node, pid, { task: 'check ann', threadId: 't-1' });
    await clock.settle();
    expect((await result).text).toBe('Ann is on pro.');
    expect(states).toEqual(['planning', 'acting', 'planning', 'done']);
    const entry = model.view(clock.now()).processes.find((p) => p.pid === pid.toString());
    expect(entry?.kind).toBe('agent');
    expect(entry?.agent).toMatchObject({ name: 'ops', state: 'done', threadId: 't-1', step: 2 });
    expect(entry?.agent?.tokens).toBeGreaterThan(0);
    const trace = model.trace(entry?.key as string);
    expect(trace?.items.map((i) => i.kind)).toEqual(['task', 'model', 'tool', 'model', 'answer']);
    expect(trace?.items.at(-1)).toMatchObject({ kind: 'answer', text: 'Ann is on pro.' });
    expect(model.view(clock.now()).totals).toMatchObject({ steps: 2, toolCalls: 1 });
    expect(model.view(clock.now()).totals.tokens).toBe(entry?.agent?.tokens);
  });

  it('shows an agent awaiting approval while the desk holds its call', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'n1', clock });
    const model = new DashboardModel('n1', DASHBOARD_DEFAULTS);
    node.inspect((event) => model.onEvent(event));
    const desk = new ApprovalDesk({ clock });
    const { agent } = opsAgent(
      clock,
      'ops',
      [{ toolCalls: [{ name: 'drop_database', input: { name: 'prod' } }] }, { text: 'done' }],
      { desk, journal: new MemoryEffectJournal(), ran: [] },
    );
    const pid = node.spawn(agent);
    void runTask(node, pid, { task: 'drop it', threadId: 't-2' });
    await clock.settle();
    const waiting = new Set(desk.pending().map((r) => `${r.agent}\u0000${r.threadId}`));
    const find = (w?: ReadonlySet<string>) =>
      model
        .view(clock.now(), w === undefined ? {} : { waiting: w })
        .processes.find((p) => p.pid === pid.toString())?.agent?.state;
    expect(find(waiting)).toBe('awaiting_approval');
    // Without the desk's word the events alone say it is acting.
    expect(find()).toBe('acting');
  });

  it('takes processes that ran before it from their process info', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'n1', clock });
    const parent = node.spawn(worker);
    node.register('early', parent);
    await clock.settle();
    const model = new DashboardModel('n1', DASHBOARD_DEFAULTS);
    model.seed(node.processes().flatMap((p) => node.processInfo(p) ?? []));
    expect(model.view(clock.now()).processes).toMatchObject([
      { name: 'early', alive: true, pid: parent.toString() },
    ]);
  });

  it('tracks breakers and ladders from the events the resilience pieces publish', () => {
    const model = new DashboardModel('n1', DASHBOARD_DEFAULTS);
    const published = (time: number, event: Record<string, unknown> & { type: string }) =>
      model.onEvent({ type: 'published', time, event });
    published(10, { type: 'breaker.trip', name: 'acme', from: 'closed', retryAt: 20, level: 0 });
    published(20, { type: 'breaker.half_open', name: 'acme' });
    published(21, { type: 'breaker.trip', name: 'acme', from: 'half_open', retryAt: 40, level: 1 });
    published(30, {
      type: 'degrade.level_changed',
      source: 'models',
      from: undefined,
      to: 'backup',
    });
    const view = model.view(35);
    expect(view.breakers).toEqual([{ name: 'acme', state: 'open', since: 21, trips: 2 }]);
    expect(view.ladders).toEqual([{ source: 'models', level: 'backup', since: 30, moves: 1 }]);
    published(40, { type: 'breaker.close', name: 'acme' });
    published(41, {
      type: 'degrade.level_changed',
      source: 'models',
      from: 'backup',
      to: undefined,
    });
    expect(model.view(50).breakers[0]?.state).toBe('closed');
    expect(model.view(50).ladders[0]).toMatchObject({ level: 'primary', moves: 2 });
  });

  it('ignores agent events of a process it does not know, and events it does not show', () => {
    const model = new DashboardModel('n1', DASHBOARD_DEFAULTS);
    const stranger = new Pid('n1', 'i', 99);
    expect(
      model.onEvent({ type: 'published', time: 1, pid: stranger, event: { type: 'agent.step' } }),
    ).toBe(false);
    expect(model.onEvent({ type: 'published', time: 1, event: { type: 'retry.scheduled' } })).toBe(
      false,
    );
    expect(model.view(1).processes).toEqual([]);
  });

  it('lists at most maxProcesses and counts the rest', async () => {
    const { clock, node, view } = watched({ maxProcesses: 3 });
    for (let i = 0; i < 5; i++) node.spawn(worker);
    await clock.settle();
    expect(view().processes).toHaveLength(3);
    expect(view().truncated).toBe(2);
  });
});

describe('a time series', () => {
  it('counts per bucket, zeroes the buckets it skips and forgets what is older than its ring', () => {
    const series = new TimeSeries(1_000, 4);
    series.add(0, 1);
    series.add(999, 2);
    series.add(2_500, 5);
    expect(series.view(3_000)).toEqual({ bucketMs: 1_000, start: 0, values: [3, 0, 5, 0] });
    series.add(10_000, 1);
    series.add(1_000, 7); // older than the ring: dropped
    expect(series.view(10_000).values).toEqual([0, 0, 0, 1]);
    expect(series.view(10_000).start).toBe(7_000);
  });
});
