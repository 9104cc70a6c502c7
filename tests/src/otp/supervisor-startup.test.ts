// docs/semantics.md section 2 (items 8-13): how a supervisor starts its children.
import {
  type ActorContext,
  type ChildSpec,
  countChildren,
  createNode,
  defineActor,
  type ExitReason,
  IGNORE,
  isPid,
  isWardenError,
  type Node,
  type NodeEvent,
  type Pid,
  type StartReturn,
  type SupervisorInit,
  startChild,
  startDynamicChild,
  startSupervisor,
  stop,
  whichChildren,
} from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';

interface Args {
  readonly id: string;
  readonly log: string[];
  /** Virtual milliseconds that init takes. */
  readonly initMs?: number;
}

/** Logs `init:<id>` when init starts, `ready:<id>` when it ends, `terminate:<id>` when stopped. */
const worker = defineActor<Args, Args>({
  init: async (args, ctx) => {
    args.log.push(`init:${args.id}`);
    ctx.trapExit(true); // so that a shutdown from the supervisor runs terminate
    if (args.initMs !== undefined) await delay(ctx, args.initMs);
    args.log.push(`ready:${args.id}`);
    return args;
  },
  terminate: (_reason, { id, log }) => {
    log.push(`terminate:${id}`);
  },
});

function delay(ctx: ActorContext, ms: number): Promise<void> {
  return new Promise((resolve) => ctx.node.clock.setTimer(ms, resolve));
}

function child(id: string, log: string[], extra: Partial<ChildSpec> & { initMs?: number } = {}) {
  const { initMs, ...rest } = extra;
  const args: Args = initMs === undefined ? { id, log } : { id, log, initMs };
  return { id, start: { behaviour: worker, args }, ...rest } satisfies ChildSpec;
}

function setup(): { clock: TestClock; node: Node; events: NodeEvent[] } {
  const clock = new TestClock();
  const node = createNode({ name: 'startup', clock });
  const events: NodeEvent[] = [];
  node.inspect((e) => events.push(e));
  return { clock, node, events };
}

async function startError(node: Node, init: SupervisorInit): Promise<{ reason?: ExitReason }> {
  const error = await startSupervisor(node, init).then(
    () => expect.fail('startSupervisor resolved'),
    (e: unknown) => e,
  );
  expect(isWardenError(error, 'ERR_START_FAILED')).toBe(true);
  return error as { reason?: ExitReason };
}

describe('2 Start-up', () => {
  it('traps exits, already while its children start (item 8)', async () => {
    const { node } = setup();
    let trappingDuringStart: boolean | undefined;
    const sup = (await startSupervisor(node, {
      children: [
        {
          id: 'probe',
          start: (ctx) => {
            trappingDuringStart = node.processInfo(ctx.self)?.trapExit;
            return ctx.spawnLink(worker, { args: { id: 'probe', log: [] } });
          },
        },
      ],
    })) as Pid;
    expect(node.processInfo(sup)?.trapExit).toBe(true);
    expect(trappingDuringStart).toBe(true);
  });

  it('starts children one after the other in list order (item 9)', async () => {
    const { node } = setup();
    const log: string[] = [];
    const sup = (await startSupervisor(node, {
      children: [child('c', log), child('a', log), child('b', log)],
    })) as Pid;
    expect(log).toEqual(['init:c', 'ready:c', 'init:a', 'ready:a', 'init:b', 'ready:b']);
    expect((await whichChildren(node, sup)).map((r) => r.id)).toEqual(['c', 'a', 'b']);
  });

  it('resolves startSupervisor only after every async child init has finished (item 9)', async () => {
    const { clock, node } = setup();
    const log: string[] = [];
    let resolved = false;
    const started = startSupervisor(node, {
      children: [child('slow', log, { initMs: 300 }), child('fast', log, { initMs: 100 })],
    }).then((pid) => {
      resolved = true;
      return pid;
    });
    await clock.settle();
    expect(log).toEqual(['init:slow']);
    await clock.advance(300);
    expect(log).toEqual(['init:slow', 'ready:slow', 'init:fast']);
    expect(resolved).toBe(false);
    await clock.advance(99);
    expect(resolved).toBe(false);
    await clock.advance(1);
    expect(resolved).toBe(true);
    expect(log).toEqual(['init:slow', 'ready:slow', 'init:fast', 'ready:fast']);
    expect(isPid(await started)).toBe(true);
  });

  it('accepts a pid or { pid, info } from a start function (item 10)', async () => {
    const { node } = setup();
    const sup = (await startSupervisor(node, {
      children: [
        { id: 'plain', start: (ctx) => ctx.spawnLink(worker, { args: { id: 'plain', log: [] } }) },
      ],
    })) as Pid;
    const withInfo = await startChild(node, sup, {
      id: 'info',
      start: (ctx) => ({ pid: ctx.spawnLink(worker, { args: { id: 'info', log: [] } }), info: 42 }),
    });
    expect(withInfo).toMatchObject({ ok: true, info: 42 });
    const rows = await whichChildren(node, sup);
    expect(rows.map((r) => [r.id, isPid(r.pid)])).toEqual([
      ['plain', true],
      ['info', true],
    ]);
    expect(rows[1]?.pid).toEqual((withInfo as { pid: Pid }).pid);
  });

  const failing: [string, ChildSpec['start'], Partial<Record<string, unknown>>][] = [
    [
      'an init that stops with an error reason',
      { behaviour: defineActor({ init: () => stop({ tag: 'shutdown', detail: 'no_db' }, null) }) },
      { tag: 'shutdown', detail: 'no_db' },
    ],
    [
      'an init that throws',
      {
        behaviour: defineActor({
          init: () => {
            throw new Error('boom');
          },
        }),
      },
      { tag: 'error', message: 'boom' },
    ],
    [
      'a start function that throws',
      () => {
        throw new Error('bad start');
      },
      { tag: 'error', message: 'bad start' },
    ],
    [
      'a start function that rejects',
      async () => Promise.reject(new Error('async bad start')),
      { tag: 'error', message: 'async bad start' },
    ],
    [
      'a start function returning a bad value',
      () => 'not a pid' as unknown as StartReturn,
      { tag: 'error', name: 'BadReturn' },
    ],
  ];

  it.each(failing)(
    'counts %s as a start error in startChild (item 10)',
    async (_, start, reason) => {
      const { node } = setup();
      const sup = (await startSupervisor(node, { children: [] })) as Pid;
      const result = await startChild(node, sup, { id: 'x', start });
      expect(result).toMatchObject({ ok: false, error: 'start_failed', reason });
      expect(await whichChildren(node, sup)).toEqual([]);
      expect(node.isAlive(sup)).toBe(true);
    },
  );

  it.each(failing)('fails supervisor start on %s (items 10, 12)', async (_, start, reason) => {
    const { node } = setup();
    const error = await startError(node, { children: [{ id: 'x', start }] });
    expect(error.reason).toMatchObject({
      tag: 'shutdown',
      detail: { failedToStartChild: 'x', reason },
    });
  });

  it('keeps the spec of an ignored child with no pid (item 11)', async () => {
    const { node } = setup();
    const log: string[] = [];
    const sup = (await startSupervisor(node, {
      children: [child('a', log), { id: 'ignored', start: () => IGNORE }, child('b', log)],
    })) as Pid;
    const rows = await whichChildren(node, sup);
    expect(rows.map((r) => r.id)).toEqual(['a', 'ignored', 'b']);
    expect(rows[1]?.pid).toBeUndefined();
    expect(await countChildren(node, sup)).toMatchObject({ specs: 3, active: 2 });
    const dynamic = await startChild(node, sup, { id: 'later', start: () => IGNORE });
    expect(dynamic).toEqual({ ok: true, pid: undefined });
    expect((await whichChildren(node, sup)).map((r) => r.id)).toContain('later');
  });

  it('drops the spec of an ignored temporary child (item 11)', async () => {
    const { node } = setup();
    const ignoring = defineActor({ init: () => IGNORE });
    const sup = (await startSupervisor(node, {
      children: [{ id: 'tmp', restart: 'temporary', start: { behaviour: ignoring } }],
    })) as Pid;
    expect(await whichChildren(node, sup)).toEqual([]);
    const dynamic = await startChild(node, sup, {
      id: 'tmp2',
      restart: 'temporary',
      start: () => IGNORE,
    });
    expect(dynamic).toEqual({ ok: true, pid: undefined });
    expect(await whichChildren(node, sup)).toEqual([]);
  });

  it('stores nothing and answers { ok: true, pid: undefined } for an ignored dynamic child (item 11)', async () => {
    const { node } = setup();
    const sup = (await startSupervisor(node, {
      strategy: 'simple_one_for_one',
      children: [{ id: 'tpl', start: () => IGNORE }],
    })) as Pid;
    expect(await startDynamicChild(node, sup, 'skip')).toEqual({ ok: true, pid: undefined });
    expect(await whichChildren(node, sup)).toEqual([]);
    expect(await countChildren(node, sup)).toMatchObject({ specs: 1, active: 0 });
  });

  it('terminates the started children in reverse order when a child fails at init (item 12)', async () => {
    const { node, events } = setup();
    const log: string[] = [];
    const boom = defineActor({
      init: () => {
        log.push('init:bad');
        throw new Error('boom');
      },
    });
    const error = await startError(node, {
      children: [
        child('a', log),
        child('b', log),
        { id: 'bad', start: { behaviour: boom } },
        child('never', log),
      ],
    });
    expect(log).toEqual([
      'init:a',
      'ready:a',
      'init:b',
      'ready:b',
      'init:bad',
      'terminate:b',
      'terminate:a',
    ]);
    expect(error.reason).toMatchObject({
      tag: 'shutdown',
      detail: { failedToStartChild: 'bad', reason: { tag: 'error', message: 'boom' } },
    });
    expect(node.processes()).toEqual([]);
    const supExit = events.find(
      (e) =>
        e.type === 'actor.exited' && typeof e.reason === 'object' && e.reason.tag === 'shutdown',
    );
    expect(supExit).toMatchObject({ reason: { detail: { failedToStartChild: 'bad' } } });
    const started = events.filter((e) => e.type === 'supervisor.child_started');
    expect(started.map((e) => (e as { id: string }).id)).toEqual(['a', 'b']);
  });

  it('resolves IGNORE and exits normal when the init function returns IGNORE (item 13)', async () => {
    const { node, events } = setup();
    let started = false;
    const result = await startSupervisor(node, () => {
      started = true;
      return IGNORE;
    });
    expect(started).toBe(true);
    expect(result).toBe(IGNORE);
    expect(node.processes()).toEqual([]);
    const exited = events.filter((e) => e.type === 'actor.exited');
    expect(exited.map((e) => (e as { reason: ExitReason }).reason)).toEqual(['normal']);
  });

  it('fails to start with a bad-return error when the init function returns a bad value (item 13)', async () => {
    const { node } = setup();
    const error = await startError(node, (() => 42) as unknown as SupervisorInit);
    expect(error.reason).toMatchObject({ tag: 'error', name: 'BadReturn' });
    expect(node.processes()).toEqual([]);
  });
});
