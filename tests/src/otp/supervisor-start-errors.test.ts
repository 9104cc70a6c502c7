// docs/semantics.md section 1 (items 2-7, 12): why a supervisor refuses to start. OTP keeps each
// reason distinct (supervisor_data, start_spec, bad_start_spec, duplicate_child_name,
// bad_combination); so does warden, with a code each, the field named, thrown as itself.
import {
  type ChildSpec,
  defineActor,
  type ErrorCode,
  isPid,
  isSupervisorConfigError,
  isWardenError,
  type Node,
  type Pid,
  type SupervisorInit,
  startChild,
  startSupervisor,
  supervisorChild,
  validateSupervisorSpec,
  whichChildren,
} from '@warden/core';
import { describe, expect, it } from 'vitest';
import { idle } from '../support/process-fixtures.js';
import { createHarness } from './supervisor-harness.js';

const worker = defineActor<unknown, unknown>({ init: (args) => args });
const spec = (id: string, extra: Partial<ChildSpec> = {}): ChildSpec => ({
  id,
  start: { behaviour: worker, args: id },
  ...extra,
});

/** What `startSupervisor` rejects with (failing the test if it resolves). */
async function startError(node: Node, init: SupervisorInit, name?: string): Promise<unknown> {
  const options = name === undefined ? {} : { name };
  return startSupervisor(node, init, options).then(
    () => expect.fail('startSupervisor resolved'),
    (e: unknown) => e,
  );
}

function expectError(error: unknown, code: ErrorCode, field: string): void {
  expect(isWardenError(error, code)).toBe(true);
  expect((error as { field?: string }).field).toBe(field);
  expect(isSupervisorConfigError(error)).toBe(true);
}

describe('1 Each start error keeps its own reason', () => {
  const cases: [string, SupervisorInit, ErrorCode, string][] = [
    ['a duplicate child id', { children: [spec('a'), spec('a')] }, 'ERR_DUPLICATE_CHILD_ID', 'id'],
    [
      'simple_one_for_one without a spec',
      { strategy: 'simple_one_for_one', children: [] },
      'ERR_BAD_START_SPEC',
      'children',
    ],
    [
      'simple_one_for_one with two specs',
      { strategy: 'simple_one_for_one', children: [spec('a'), spec('b')] },
      'ERR_BAD_START_SPEC',
      'children',
    ],
    [
      'a permanent significant child',
      { autoShutdown: 'any_significant', children: [spec('s', { significant: true })] },
      'ERR_BAD_COMBINATION',
      'significant',
    ],
    [
      "a significant child under autoShutdown 'never'",
      { children: [spec('s', { significant: true, restart: 'transient' })] },
      'ERR_BAD_COMBINATION',
      'significant',
    ],
    [
      'simple_one_for_one with autoShutdown any_significant',
      { strategy: 'simple_one_for_one', autoShutdown: 'any_significant', children: [spec('t')] },
      'ERR_BAD_COMBINATION',
      'autoShutdown',
    ],
    ['a bad flag', { intensity: -1, children: [] }, 'ERR_INVALID_FLAGS', 'intensity'],
    ['a missing id', { children: [spec('')] }, 'ERR_INVALID_CHILD_SPEC', 'id'],
    [
      'a bad start',
      { children: [{ id: 'a', start: 'go' as never }] },
      'ERR_INVALID_CHILD_SPEC',
      'start',
    ],
    [
      'a bad restart type',
      { children: [spec('a', { restart: 'always' as never })] },
      'ERR_INVALID_CHILD_SPEC',
      'restart',
    ],
    [
      'a bad child type',
      { children: [spec('a', { type: 'manager' as never })] },
      'ERR_INVALID_CHILD_SPEC',
      'type',
    ],
    [
      'a bad shutdown',
      { children: [spec('a', { shutdown: -1 })] },
      'ERR_INVALID_CHILD_SPEC',
      'shutdown',
    ],
    [
      'a bad significant',
      { children: [spec('a', { significant: 'yes' as never })] },
      'ERR_INVALID_CHILD_SPEC',
      'significant',
    ],
    [
      'a spec that is not an object',
      { children: [null as never] },
      'ERR_INVALID_CHILD_SPEC',
      'spec',
    ],
  ];

  it.each(cases)(
    'rejects %s as itself, naming the field, before anything starts (items 2-7)',
    async (_, init, code, field) => {
      const h = createHarness();
      const error = await startError(h.node, init);
      expectError(error, code, field);
      // Checked before the supervisor is spawned: the node runs nothing but the test's probe.
      expect(h.node.processes()).toEqual([h.probe.pid]);
      const spawned = h.eventsOf('actor.spawned').map((e) => e.pid);
      expect(spawned).toEqual([h.probe.pid]);
      // The same check, callable on its own (OTP's check_childspecs).
      if (typeof init !== 'function') {
        expectError(
          (() => {
            try {
              validateSupervisorSpec(init);
            } catch (e) {
              return e;
            }
          })(),
          code,
          field,
        );
      }
    },
  );

  it.each(cases)(
    'rejects %s computed by an init function as itself, starting no child (items 2-7)',
    async (_, init, code, field) => {
      const h = createHarness();
      let inits = 0;
      const error = await startError(h.node, () => {
        inits++;
        return init as Exclude<SupervisorInit, () => unknown>;
      });
      expectError(error, code, field);
      expect(inits).toBe(1);
      expect(h.node.processes()).toEqual([h.probe.pid]);
    },
  );

  it('rejects a configuration error as itself when started from a process (items 2-7)', async () => {
    const h = createHarness();
    const seen: unknown[] = [];
    h.node.spawn(async (ctx) => {
      seen.push(await startSupervisor(ctx, { children: [spec('a'), spec('a')] }).catch((e) => e));
    });
    await h.clock.settle();
    expect(seen).toHaveLength(1);
    expectError(seen[0], 'ERR_DUPLICATE_CHILD_ID', 'id');
  });

  it("fails a parent's start with its child supervisor's configuration error as the reason (item 12)", async () => {
    const h = createHarness();
    const error = await startError(h.node, {
      children: [spec('a'), supervisorChild('inner', { children: [spec('x'), spec('x')] })],
    });
    expect(isWardenError(error, 'ERR_START_FAILED')).toBe(true);
    expect((error as { reason?: unknown }).reason).toMatchObject({
      tag: 'shutdown',
      detail: {
        failedToStartChild: 'inner',
        reason: { tag: 'error', code: 'ERR_DUPLICATE_CHILD_ID' },
      },
    });
  });
});

describe('1 A name that is taken', () => {
  it('rejects with ERR_NAME_TAKEN carrying the pid that holds the name', async () => {
    const h = createHarness();
    const holder = h.node.spawn(idle, { name: 'root' });
    const error = await startError(h.node, { children: [spec('a')] }, 'root');
    expect(isWardenError(error, 'ERR_NAME_TAKEN')).toBe(true);
    expect((error as { pid?: Pid }).pid).toEqual(holder);
  });

  it('answers already_started with the pid holding the name of a child started with startChild (item 41)', async () => {
    const h = createHarness();
    const sup = (await startSupervisor(h.node, { children: [] })) as Pid;
    const holder = h.node.spawn(idle, { name: 'registered' });
    const named: ChildSpec = {
      id: 'child',
      restart: 'transient',
      start: { behaviour: worker, options: { name: 'registered' } },
    };
    expect(await startChild(h.node, sup, named)).toEqual({
      ok: false,
      error: 'already_started',
      pid: holder,
    });
    expect(await whichChildren(h.node, sup)).toEqual([]);
    expect(isPid(sup) && h.node.isAlive(sup)).toBe(true);
  });
});
