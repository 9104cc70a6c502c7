// docs/semantics.md section 1, item 7: the simple_one_for_one strategy's spec rules and API answers.
import {
  type ChildSpec,
  countChildren,
  createNode,
  defineActor,
  deleteChild,
  isPid,
  isWardenError,
  type Node,
  type Pid,
  restartChild,
  type SupervisorSpec,
  startDynamicChild,
  startSupervisor,
  terminateChild,
  validateChildSpecs,
  validateFlags,
  whichChildren,
} from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { thrown } from '../support/process-fixtures.js';

const worker = defineActor<unknown, unknown>({ init: (args) => args });

const spec = (id: string): ChildSpec => ({ id, start: { behaviour: worker, args: id } });

function setup(): { clock: TestClock; node: Node } {
  const clock = new TestClock();
  return { clock, node: createNode({ name: 'simple', clock }) };
}

/** Starts a supervisor expected to fail; returns the field named by the error, thrown as itself. */
async function startFailureField(node: Node, sup: SupervisorSpec): Promise<string | undefined> {
  const error = await startSupervisor(node, sup).then(
    () => expect.fail('startSupervisor resolved'),
    (e: unknown) => e,
  );
  expect(isWardenError(error, 'ERR_BAD_START_SPEC')).toBe(true);
  return (error as { field?: string }).field;
}

describe('1 simple_one_for_one (item 7)', () => {
  it.each([0, 2])(
    'rejects simple_one_for_one with %i child specs as ERR_BAD_START_SPEC (item 7)',
    async (n) => {
      const children = [spec('a'), spec('b')].slice(0, n);
      const simple = validateFlags({ strategy: 'simple_one_for_one' });
      const error = thrown(() => validateChildSpecs(children, simple));
      expect(isWardenError(error, 'ERR_BAD_START_SPEC')).toBe(true);
      expect((error as { field?: string }).field).toBe('children');
      const { node } = setup();
      expect(await startFailureField(node, { strategy: 'simple_one_for_one', children })).toBe(
        'children',
      );
      expect(node.processes()).toEqual([]);
    },
  );

  it('starts nothing at init and passes extra to the start function (item 7)', async () => {
    const { node } = setup();
    const calls: unknown[] = [];
    const sup = (await startSupervisor(node, {
      strategy: 'simple_one_for_one',
      children: [
        {
          id: 'tpl',
          start: (ctx, extra) => {
            calls.push(extra);
            return ctx.spawnLink(worker, { args: extra });
          },
        },
      ],
    })) as Pid;
    expect(calls).toEqual([]);
    expect(await whichChildren(node, sup)).toEqual([]);
    expect(await countChildren(node, sup)).toMatchObject({ specs: 1, active: 0 }); // OTP: one spec, the template
    const r1 = await startDynamicChild(node, sup, { user: 1 });
    const r2 = await startDynamicChild(node, sup, 'two');
    expect(calls).toEqual([{ user: 1 }, 'two']);
    expect(r1.ok && isPid(r1.pid)).toBe(true);
    expect(r2.ok && isPid(r2.pid)).toBe(true);
    expect(await countChildren(node, sup)).toMatchObject({ specs: 1, active: 2, workers: 2 });
  });

  // OTP's A ++ ExtraArgs, for one-value args (decision 0018).
  const appends: [string, unknown, unknown, unknown][] = [
    ['an array template and an array extra', [1, 2], [3], [1, 2, 3]],
    ['an array template and a single extra', [1, 2], 3, [1, 2, 3]],
    ['a single template and a single extra', 'template', 'extra', ['template', 'extra']],
    ['a single template and an array extra', { a: 1 }, [2, 3], [{ a: 1 }, 2, 3]],
    ['an empty template and a single extra', [], 'x', ['x']],
    ['no template args and a single extra', undefined, 'x', 'x'],
    ['no template args and an array extra', undefined, [4], [4]],
    ['template args and no extra', [1, 2], undefined, [1, 2]],
  ];

  it.each(appends)(
    "appends extra to the template's args for a behaviour start: %s (item 7)",
    async (_, templateArgs, extra, expected) => {
      const { clock, node } = setup();
      const seen: unknown[] = [];
      const echo = defineActor<unknown, unknown>({
        init: (args) => {
          seen.push(args);
          return args;
        },
        handleInfo: (message, state) => {
          if (message === 'crash') throw new Error('crash');
          return state;
        },
      });
      const sup = (await startSupervisor(node, {
        strategy: 'simple_one_for_one',
        children: [{ id: 'tpl', start: { behaviour: echo, args: templateArgs } }],
      })) as Pid;
      const started = await startDynamicChild(node, sup, extra);
      // A restart starts the child with the same args again.
      node.send((started as { pid: Pid }).pid, 'crash');
      await clock.settle();
      expect(seen).toEqual([expected, expected]);
      expect(await whichChildren(node, sup)).toHaveLength(1);
    },
  );

  it('answers simple_one_for_one to restartChild, deleteChild and terminateChild by id (item 7)', async () => {
    const { node } = setup();
    const sup = (await startSupervisor(node, {
      strategy: 'simple_one_for_one',
      children: [spec('tpl')],
    })) as Pid;
    await startDynamicChild(node, sup, 'x');
    const expected = { ok: false, error: 'simple_one_for_one' };
    expect(await restartChild(node, sup, 'tpl')).toEqual(expected);
    expect(await deleteChild(node, sup, 'tpl')).toEqual(expected);
    expect(await terminateChild(node, sup, 'tpl')).toEqual(expected);
    expect(await countChildren(node, sup)).toMatchObject({ specs: 1, active: 1 });
  });

  it('terminates a dynamic child given its pid (item 7)', async () => {
    const { node } = setup();
    const sup = (await startSupervisor(node, {
      strategy: 'simple_one_for_one',
      children: [spec('tpl')],
    })) as Pid;
    const started = await startDynamicChild(node, sup, 'x');
    const pid = (started as { pid: Pid }).pid;
    expect(await terminateChild(node, sup, pid)).toEqual({ ok: true });
    expect(node.isAlive(pid)).toBe(false);
    expect(await whichChildren(node, sup)).toEqual([]);
    expect(node.isAlive(sup)).toBe(true);
  });
});
