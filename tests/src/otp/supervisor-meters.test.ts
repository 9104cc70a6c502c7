// Metered intensity (docs/supervision.md, "Metered intensity"): a supervisor-level limit on a
// quantity its subtree reports with `ctx.report`, checked like restart intensity.
import {
  type ActorContext,
  type ChildSpec,
  defineActor,
  type ExitReason,
  isPid,
  isWardenError,
  MeterReport,
  type Pid,
  Supervisor,
  type SupervisorSpec,
  startSupervisor,
  supervisorChild,
  validateFlags,
  whichChildren,
} from '@warden/core';
import { describe, expect, it } from 'vitest';
import { createHarness, type Harness, pidOf, startUnderParent } from './supervisor-harness.js';

interface SpenderArgs {
  readonly id: string;
  readonly log?: string[];
  /** Reported in init, before anything else. */
  readonly onStart?: { readonly meter: string; readonly amount: number };
  /** Crash right after init: a restart loop whose every turn costs `onStart`. */
  readonly crashAfterStart?: boolean;
}

interface Spend {
  readonly spend: number;
  readonly meter?: string;
}

const isSpend = (m: unknown): m is Spend =>
  typeof m === 'object' && m !== null && typeof (m as Spend).spend === 'number';

/** A worker that reports what it is told to spend; it traps exits so its terminate is logged. */
const spender = defineActor<SpenderArgs, SpenderArgs>({
  init: (args, ctx) => {
    ctx.trapExit(true);
    if (args.onStart !== undefined) ctx.report(args.onStart.meter, args.onStart.amount);
    if (args.crashAfterStart === true) ctx.send(ctx.self, 'crash');
    return args;
  },
  handleInfo: (message, state, ctx) => {
    if (message === 'crash') throw new Error(`crash ${state.id}`);
    if (isSpend(message)) ctx.report(message.meter ?? 'tokens', message.spend);
    return state;
  },
  terminate: (_reason, state) => {
    state.log?.push(`terminate:${state.id}`);
  },
});

function spenderSpec(
  id: string,
  args: Omit<SpenderArgs, 'id'> = {},
  extra: Partial<ChildSpec> = {},
): ChildSpec {
  return { id, start: { behaviour: spender, args: { id, ...args } }, ...extra };
}

const tokens = (limit: number, period = 60_000) => ({ name: 'tokens', limit, period });

/** Tells the running child `id` of `sup` to spend `amount`, and lets everything settle. */
async function spend(
  h: Harness,
  sup: Pid,
  id: string,
  amount: number,
  meter = 'tokens',
): Promise<void> {
  h.node.send(await pidOf(h.node, sup, id), { spend: amount, meter } satisfies Spend);
  await h.clock.settle();
}

const exceeded = (meter: string, limit: number, spent: number, period: number): ExitReason => ({
  tag: 'shutdown',
  detail: { meter, limit, spent, period },
});

describe('Metered intensity', () => {
  it('shuts a subtree that spends more than its limit within the period down, in reverse start order, and escalates with a shutdown naming the meter', async () => {
    const h = createHarness();
    const log: string[] = [];
    const { sup, parentExits } = await startUnderParent(h.node, {
      meters: [tokens(1000)],
      children: [spenderSpec('a', { log }), spenderSpec('b', { log })],
    });
    h.probe.monitor(sup);
    await spend(h, sup, 'a', 600);
    await h.clock.advance(10_000);
    await spend(h, sup, 'b', 400);
    expect(h.node.isAlive(sup)).toBe(true); // exactly the limit is allowed
    await spend(h, sup, 'b', 1);
    const reason = exceeded('tokens', 1000, 1001, 60_000);
    expect((await h.probe.expectDown(sup, undefined, { within: 0 })).reason).toEqual(reason);
    expect(log).toEqual(['terminate:b', 'terminate:a']);
    expect(h.eventsOf('supervisor.meter_exceeded')).toEqual([
      {
        type: 'supervisor.meter_exceeded',
        time: 10_000,
        supervisor: sup,
        meter: 'tokens',
        limit: 1000,
        spent: 1001,
        period: 60_000,
      },
    ]);
    expect(h.eventsOf('supervisor.escalated')).toEqual([]);
    expect(parentExits).toEqual([{ from: sup, reason }]);
  });

  it('is seen by its own supervisor as a child that exited, restarted by that supervisor with a fresh window', async () => {
    const h = createHarness();
    const { sup: top } = await startUnderParent(h.node, {
      intensity: 5,
      children: [
        supervisorChild('metered', { meters: [tokens(1000)], children: [spenderSpec('a')] }),
      ],
    });
    const metered = await pidOf(h.node, top, 'metered');
    await spend(h, metered, 'a', 1001);
    expect(h.node.isAlive(metered)).toBe(false);
    expect(h.eventsOf('supervisor.child_exited')).toMatchObject([
      { supervisor: top, id: 'metered', reason: exceeded('tokens', 1000, 1001, 60_000) },
    ]);
    expect(h.eventsOf('supervisor.restart')).toMatchObject([{ supervisor: top, id: 'metered' }]);
    const again = await pidOf(h.node, top, 'metered');
    await spend(h, again, 'a', 1000);
    expect(h.node.isAlive(again)).toBe(true);
  });

  it('is not restarted by its own supervisor when it is a transient child: its exit is a shutdown', async () => {
    const h = createHarness();
    const { sup: top } = await startUnderParent(h.node, {
      intensity: 5,
      children: [
        supervisorChild(
          'metered',
          { meters: [tokens(1000)], children: [spenderSpec('a')] },
          { restart: 'transient' },
        ),
      ],
    });
    await spend(h, await pidOf(h.node, top, 'metered'), 'a', 1001);
    expect(h.eventsOf('supervisor.child_exited')).toMatchObject([{ id: 'metered' }]);
    expect(h.eventsOf('supervisor.restart')).toEqual([]);
    expect(await whichChildren(h.node, top)).toMatchObject([{ id: 'metered', pid: undefined }]);
    expect(h.node.isAlive(top)).toBe(true);
  });

  it('stops a cheap restart loop that burns tokens once the meter is passed, long before restart intensity would', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      intensity: 1000,
      period: 60_000,
      meters: [tokens(1000, 3_600_000)],
      children: [
        spenderSpec('loop', { onStart: { meter: 'tokens', amount: 300 }, crashAfterStart: true }),
      ],
    });
    h.probe.monitor(sup);
    await h.clock.settle();
    const down = await h.probe.expectDown(sup, undefined, { within: 0 });
    expect(down.reason).toEqual(exceeded('tokens', 1000, 1200, 3_600_000));
    // Four starts of 300 tokens each: three restarts, where intensity allowed a thousand.
    expect(h.eventsOf('supervisor.restart')).toHaveLength(3);
    expect(h.eventsOf('supervisor.escalated')).toEqual([]);
  });

  it('rolls reports up: a limit at the top counts what is spent anywhere below it, past a supervisor without meters', async () => {
    const h = createHarness();
    const { sup: top } = await startUnderParent(h.node, {
      meters: [tokens(1000)],
      children: [supervisorChild('mid', { children: [spenderSpec('a')] }), spenderSpec('b')],
    });
    const mid = await pidOf(h.node, top, 'mid');
    h.probe.monitor(top);
    await spend(h, mid, 'a', 600);
    await spend(h, top, 'b', 500);
    expect((await h.probe.expectDown(top, undefined, { within: 0 })).reason).toEqual(
      exceeded('tokens', 1000, 1100, 60_000),
    );
    expect(h.node.isAlive(mid)).toBe(false);
    // The supervisor without meters never saw the reports: it had none to count or to refuse.
    expect(h.eventsOf('supervisor.unexpected_message')).toEqual([]);
  });

  it('counts at every metered level: a supervisor reports on what it counted, so both its limit and the one above hold', async () => {
    const h = createHarness();
    const { sup: top } = await startUnderParent(h.node, {
      intensity: 5,
      meters: [tokens(1000)],
      children: [supervisorChild('mid', { meters: [tokens(700)], children: [spenderSpec('a')] })],
    });
    h.probe.monitor(top);
    await spend(h, await pidOf(h.node, top, 'mid'), 'a', 600);
    await spend(h, await pidOf(h.node, top, 'mid'), 'a', 200); // mid passes 700; top is at 800
    expect(h.eventsOf('supervisor.meter_exceeded')).toMatchObject([{ limit: 700, spent: 800 }]);
    expect(h.node.isAlive(top)).toBe(true);
    await spend(h, await pidOf(h.node, top, 'mid'), 'a', 201); // the restarted mid: 201 of 700
    expect((await h.probe.expectDown(top, undefined, { within: 0 })).reason).toEqual(
      exceeded('tokens', 1000, 1001, 60_000),
    );
    expect(h.eventsOf('supervisor.meter_exceeded').map((e) => [e.supervisor, e.spent])).toEqual([
      [expect.anything(), 800],
      [top, 1001],
    ]);
  });

  it('passes over ancestors that do not collect the meter: a worker that started a supervisor of its own, a supervisor metering something else', async () => {
    const h = createHarness();
    const inner: SupervisorSpec = {
      meters: [tokens(1_000_000)],
      children: [spenderSpec('c')],
    };
    // A worker that owns a supervisor (as an agent owns the supervisor of its subagents).
    const owner = defineActor<Pid, void>({
      init: async (_args, ctx) => (await ctx.startLink(Supervisor, { args: inner })) as Pid,
    });
    const { sup: top } = await startUnderParent(h.node, {
      meters: [{ name: 'costUsd', limit: 1, period: 60_000 }],
      children: [{ id: 'owner', start: { behaviour: owner } }],
    });
    const ownerPid = await pidOf(h.node, top, 'owner');
    const innerSup = h.eventsOf('supervisor.child_started').find((e) => e.id === 'c')?.supervisor;
    if (innerSup === undefined) throw new Error('the inner supervisor did not start c');
    h.probe.monitor(top);
    await spend(h, innerSup, 'c', 0.6, 'costUsd');
    expect(h.node.isAlive(top)).toBe(true);
    await spend(h, innerSup, 'c', 0.6, 'costUsd');
    expect((await h.probe.expectDown(top, undefined, { within: 0 })).reason).toEqual(
      exceeded('costUsd', 1, 1.2, 60_000),
    );
    expect(h.node.isAlive(ownerPid)).toBe(false);
    expect(h.eventsOf('supervisor.unexpected_message')).toEqual([]);
  });

  it('slides its window: what was spent more than a period ago no longer counts, what was spent exactly a period ago still does', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      meters: [tokens(1000, 60_000)],
      children: [spenderSpec('a')],
    });
    h.probe.monitor(sup);
    await spend(h, sup, 'a', 600); // t = 0
    await h.clock.advance(60_001);
    await spend(h, sup, 'a', 600); // t = 60 001: the first 600 has left
    expect(h.node.isAlive(sup)).toBe(true);
    await h.clock.advance(60_000);
    await spend(h, sup, 'a', 400); // t = 120 001: 600 exactly a period old, + 400 = the limit
    expect(h.node.isAlive(sup)).toBe(true);
    await spend(h, sup, 'a', 1);
    expect((await h.probe.expectDown(sup, undefined, { within: 0 })).reason).toEqual(
      exceeded('tokens', 1000, 1001, 60_000),
    );
    expect(h.eventsOf('supervisor.meter_exceeded')).toMatchObject([{ time: 120_001 }]);
  });

  it('lets any process collect: reports from below arrive as MeterReport messages naming the child they came through', async () => {
    const h = createHarness();
    const got: MeterReport[] = [];
    let midPid: Pid | undefined;
    const ready = new Promise<void>((resolve) => {
      h.node.spawn(async (ctx: ActorContext) => {
        ctx.collectReports(['tokens']);
        const mid = await startSupervisor(ctx, { children: [spenderSpec('a')] });
        if (!isPid(mid)) return;
        midPid = mid;
        resolve();
        for (let i = 0; i < 10; i++) got.push(await ctx.receive((m) => m instanceof MeterReport));
      });
    });
    await ready;
    const mid = midPid as Pid;
    await spend(h, mid, 'a', 42);
    await spend(h, mid, 'a', 0); // nothing spent, nothing sent
    await spend(h, mid, 'a', 8, 'costUsd'); // not collected above: sent nowhere
    expect(got.map((r) => [r.meter, r.amount, r.via])).toEqual([['tokens', 42, mid]]);
    expect(h.eventsOf('deadletter')).toEqual([]);
  });

  it('never throws a report back at the reporter: past a full mailbox it is a dead letter, whatever the overflow policy', async () => {
    const h = createHarness();
    const outcomes: string[] = [];
    h.node.spawn(
      async (ctx: ActorContext) => {
        ctx.collectReports(['tokens']);
        ctx.spawn((child: ActorContext) => {
          for (let i = 0; i < 3; i++) {
            try {
              child.report('tokens', 10);
              outcomes.push('sent');
            } catch (error) {
              outcomes.push(String(error));
            }
          }
        });
        await ctx.receive(() => false, { timeout: 1000 }).catch(() => undefined);
      },
      { mailbox: { capacity: 1, overflow: 'reject' } },
    );
    await h.clock.settle();
    expect(outcomes).toEqual(['sent', 'sent', 'sent']);
    expect(
      h.eventsOf('deadletter').map((d) => [d.reason, (d.message as MeterReport).amount]),
    ).toEqual([
      ['mailbox-full', 10],
      ['mailbox-full', 10],
    ]);
  });

  it('does not count a report that did not come through one of its children, and reports it as unexpected', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      meters: [tokens(1000)],
      children: [spenderSpec('a')],
    });
    const forged = new MeterReport('tokens', 5000, h.probe.pid);
    h.node.send(sup, forged);
    h.node.send(sup, new MeterReport('costUsd', 5, await pidOf(h.node, sup, 'a')));
    await h.clock.settle();
    expect(h.node.isAlive(sup)).toBe(true);
    expect(h.eventsOf('supervisor.unexpected_message').map((e) => e.message)).toEqual([
      forged,
      expect.objectContaining({ meter: 'costUsd' }),
    ]);
    await spend(h, sup, 'a', 1000);
    expect(h.node.isAlive(sup)).toBe(true);
  });

  it('counts what a child spends in its init', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      meters: [tokens(1000)],
      children: [spenderSpec('a', { onStart: { meter: 'tokens', amount: 900 } })],
    });
    await h.clock.settle();
    await spend(h, sup, 'a', 100);
    expect(h.node.isAlive(sup)).toBe(true);
    await spend(h, sup, 'a', 1);
    expect(h.node.isAlive(sup)).toBe(false);
  });

  it('meters a simple_one_for_one supervisor across its dynamic children', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, {
      strategy: 'simple_one_for_one',
      meters: [tokens(1000)],
      children: [{ id: 'w', start: { behaviour: spender, args: { id: 'w' } } }],
    });
    h.probe.monitor(sup);
    const started: Pid[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await h.node.call<{ ok: true; pid: Pid }>(
        sup,
        { $sup: 'start_child', spec: undefined, extra: undefined },
        { timeout: Number.POSITIVE_INFINITY },
      );
      started.push(result.pid);
    }
    for (const pid of started) h.node.send(pid, { spend: 400 } satisfies Spend);
    await h.clock.settle();
    expect((await h.probe.expectDown(sup, undefined, { within: 0 })).reason).toEqual(
      exceeded('tokens', 1000, 1200, 60_000),
    );
    expect(await whichChildren(h.node, sup).catch(() => 'gone')).toBe('gone');
  });
});

describe('Metered intensity: bad input', () => {
  const bad: [string, unknown][] = [
    ['meters', { name: 'tokens', limit: 1, period: 1 }],
    ['meters[0]', ['tokens']],
    ['meters[0].name', [{ name: '', limit: 1, period: 1 }]],
    ['meters[0].name', [{ limit: 1, period: 1 }]],
    ['meters[1].name', [tokens(1), tokens(2)]],
    ['meters[0].limit', [{ name: 'tokens', limit: -1, period: 1 }]],
    ['meters[0].limit', [{ name: 'tokens', limit: Number.NaN, period: 1 }]],
    ['meters[0].limit', [{ name: 'tokens', limit: Number.POSITIVE_INFINITY, period: 1 }]],
    ['meters[0].limit', [{ name: 'tokens', limit: '5', period: 1 }]],
    ['meters[0].period', [{ name: 'tokens', limit: 1, period: 0 }]],
    ['meters[0].period', [{ name: 'tokens', limit: 1, period: 1.5 }]],
    ['meters[0].period', [{ name: 'tokens', limit: 1 }]],
  ];

  it.each(bad)('rejects a bad %s with ERR_INVALID_FLAGS naming it [%#]', (field, meters) => {
    let error: unknown;
    try {
      validateFlags({ meters: meters as never });
    } catch (e) {
      error = e;
    }
    expect(isWardenError(error, 'ERR_INVALID_FLAGS')).toBe(true);
    expect((error as { field?: string }).field).toBe(field);
  });

  it('fails the start of a supervisor with bad meters, starting no child', async () => {
    const h = createHarness();
    const error = await startSupervisor(h.node, {
      meters: [tokens(1), tokens(2)],
      children: [spenderSpec('a')],
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as { field?: string }).field).toBe('meters[1].name');
    expect(h.node.processes()).toEqual([h.probe.pid]);
  });

  it('takes no meters (or an empty list) as none', () => {
    expect(validateFlags({ meters: [] }).meters).toBeUndefined();
    expect(validateFlags({}).meters).toBeUndefined();
    expect(validateFlags({ meters: [tokens(0)] }).meters).toEqual([tokens(0)]);
  });

  it('refuses a report with a bad meter name or amount with ERR_INVALID_ARGUMENT, sending nothing', async () => {
    const h = createHarness();
    const fields: (string | undefined)[] = [];
    const { sup } = await startUnderParent(h.node, {
      meters: [tokens(0)],
      children: [
        {
          id: 'a',
          start: async (ctx: ActorContext) =>
            ctx.spawnLink(async (child: ActorContext) => {
              for (const [meter, amount] of [
                ['', 1],
                [7, 1],
                ['tokens', -1],
                ['tokens', Number.NaN],
                ['tokens', Number.POSITIVE_INFINITY],
                ['tokens', '5'],
              ] as [never, never][]) {
                try {
                  child.report(meter, amount);
                  fields.push(undefined);
                } catch (error) {
                  if (isWardenError(error, 'ERR_INVALID_ARGUMENT')) fields.push(error.field);
                }
              }
              await child.receive();
            }),
        },
      ],
    });
    await h.clock.settle();
    expect(fields).toEqual(['meter', 'meter', 'amount', 'amount', 'amount', 'amount']);
    expect(h.node.isAlive(sup)).toBe(true); // a limit of 0 would have been passed by any report
  });
});
