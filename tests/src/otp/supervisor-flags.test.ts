// docs/semantics.md section 1 (items 1-6): supervisor flags, child-spec defaults and validation. Item 7
// (simple_one_for_one) is in supervisor-simple-one-for-one.test.ts.
import {
  type ChildSpec,
  createNode,
  DEFAULT_FLAGS,
  defineActor,
  type ErrorCode,
  isWardenError,
  type Node,
  type Pid,
  type SupervisorFlags,
  type SupervisorSpec,
  startChild,
  startSupervisor,
  supervisorChild,
  terminateChild,
  validateChildSpec,
  validateChildSpecs,
  validateFlags,
  whichChildren,
} from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { thrown } from '../support/process-fixtures.js';

const worker = defineActor<unknown, unknown>({
  init: (args) => args,
  handleInfo: (msg, s) => {
    if (msg === 'crash') throw new Error('crash');
    return s;
  },
});

/** Traps exits, and its terminate never finishes, so only a kill stops it. */
const stubborn = defineActor<null>({
  init: (_args, ctx) => {
    ctx.trapExit(true);
    return null;
  },
  terminate: () => new Promise<void>(() => {}),
});

const spec = (id: string, extra: Partial<ChildSpec> = {}): ChildSpec => ({
  id,
  start: { behaviour: worker, args: id },
  ...extra,
});

function setup(): { clock: TestClock; node: Node } {
  const clock = new TestClock();
  return { clock, node: createNode({ name: 'flags', clock }) };
}

/**
 * Starts a supervisor expected to fail with a configuration error, thrown as itself (not wrapped
 * in ERR_START_FAILED); returns the field it names.
 */
async function startFailureField(
  node: Node,
  sup: SupervisorSpec,
  code: ErrorCode = 'ERR_INVALID_FLAGS',
): Promise<string | undefined> {
  const error = await startSupervisor(node, sup).then(
    () => expect.fail('startSupervisor resolved'),
    (e: unknown) => e,
  );
  expect(isWardenError(error, code)).toBe(true);
  return (error as { field?: string }).field;
}

const flags = (input: Partial<SupervisorFlags>): SupervisorFlags => validateFlags(input);

describe('1 Flags, defaults, validation', () => {
  it('fills OTP default flags: one_for_one, intensity 1, period 5 s, autoShutdown never (item 1)', () => {
    expect(DEFAULT_FLAGS).toMatchObject({
      strategy: 'one_for_one',
      intensity: 1,
      period: 5000,
      autoShutdown: 'never',
    });
    expect(validateFlags({})).toEqual(DEFAULT_FLAGS);
    expect(validateFlags()).toEqual(DEFAULT_FLAGS);
  });

  it('runs a supervisor started without flags as one_for_one allowing 1 restart in 5 s (item 1)', async () => {
    const { clock, node } = setup();
    const sup = (await startSupervisor(node, { children: [spec('a'), spec('b')] })) as Pid;
    const [a0, b0] = await whichChildren(node, sup);
    node.send(a0?.pid as Pid, 'crash');
    await clock.settle();
    const [a1, b1] = await whichChildren(node, sup);
    expect(a1?.pid).not.toEqual(a0?.pid);
    expect(b1?.pid).toEqual(b0?.pid);
    await clock.advance(4999);
    node.send(a1?.pid as Pid, 'crash');
    await clock.settle();
    expect(node.isAlive(sup)).toBe(false);
  });

  const badIntensities: unknown[] = [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1'];
  const badPeriods: unknown[] = [0, -5000, 2.5, Number.NaN, Number.POSITIVE_INFINITY, '5000'];
  const badFlags: [string, Partial<SupervisorFlags>][] = [
    ...badIntensities.map((v): [string, Partial<SupervisorFlags>] => [
      'intensity',
      { intensity: v as number },
    ]),
    ...badPeriods.map((v): [string, Partial<SupervisorFlags>] => [
      'period',
      { period: v as number },
    ]),
    ['strategy', { strategy: 'one_for_some' as never }],
    ['autoShutdown', { autoShutdown: 'sometimes' as never }],
    ['backoff.minMs', { backoff: { minMs: -1, maxMs: 10, jitter: 'none' } }],
    ['backoff.maxMs', { backoff: { minMs: 100, maxMs: 10, jitter: 'none' } }],
    ['backoff.jitter', { backoff: { minMs: 1, maxMs: 10, jitter: 'half' as never } }],
    ['backoff.random', { backoff: { minMs: 1, maxMs: 10, jitter: 'full', random: 0.5 as never } }],
    ['poison.threshold', { poison: { threshold: 0 } }],
    ['poison.windowMs', { poison: { threshold: 3, windowMs: 0 } }],
  ];

  it.each(badFlags)(
    'rejects an invalid %s with ERR_INVALID_FLAGS naming it (item 2) [%#]',
    (field, input) => {
      const error = thrown(() => validateFlags(input));
      expect(isWardenError(error, 'ERR_INVALID_FLAGS')).toBe(true);
      expect((error as { field?: string }).field).toBe(field);
    },
  );

  it.each(badFlags)(
    'fails startSupervisor on an invalid %s, naming it (item 2) [%#]',
    async (field, input) => {
      const { node } = setup();
      expect(await startFailureField(node, { ...input, children: [spec('a')] })).toBe(field);
      expect(node.processes()).toEqual([]);
    },
  );

  it('accepts intensity 0 and the smallest period (item 2)', () => {
    expect(validateFlags({ intensity: 0, period: 1 })).toMatchObject({ intensity: 0, period: 1 });
  });

  it('fills child-spec defaults: permanent worker, not significant, shutdown 5000 ms (item 3)', () => {
    const normalized = validateChildSpec(spec('a'), DEFAULT_FLAGS);
    expect(normalized).toMatchObject({
      id: 'a',
      restart: 'permanent',
      type: 'worker',
      significant: false,
      shutdown: 5000,
    });
  });

  it('defaults shutdown to infinity for a supervisor child (item 3)', () => {
    expect(validateChildSpec(spec('s', { type: 'supervisor' }), DEFAULT_FLAGS).shutdown).toBe(
      'infinity',
    );
    const nested = supervisorChild('nested', { children: [] });
    expect(validateChildSpec(nested, DEFAULT_FLAGS)).toMatchObject({
      type: 'supervisor',
      shutdown: 'infinity',
    });
  });

  it('kills a default worker that ignores shutdown after exactly 5000 ms (item 3)', async () => {
    const { clock, node } = setup();
    const sup = (await startSupervisor(node, {
      children: [{ id: 'w', start: { behaviour: stubborn } }],
    })) as Pid;
    const [row] = await whichChildren(node, sup);
    const pid = row?.pid as Pid;
    let done = false;
    const result = terminateChild(node, sup, 'w').then((r) => {
      done = true;
      return r;
    });
    await clock.advance(4999);
    expect(node.isAlive(pid)).toBe(true);
    expect(done).toBe(false);
    await clock.advance(1);
    expect(node.isAlive(pid)).toBe(false);
    expect(await result).toEqual({ ok: true });
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 'forever'])(
    'rejects shutdown %s, naming the field (item 4)',
    async (shutdown) => {
      const bad = spec('a', { shutdown: shutdown as never });
      const error = thrown(() => validateChildSpec(bad, DEFAULT_FLAGS));
      expect(isWardenError(error, 'ERR_INVALID_CHILD_SPEC')).toBe(true);
      expect((error as { field?: string }).field).toBe('shutdown');
      const { node } = setup();
      expect(await startFailureField(node, { children: [bad] }, 'ERR_INVALID_CHILD_SPEC')).toBe(
        'shutdown',
      );
    },
  );

  it.each([0, 250, 'brutal_kill', 'infinity'] as const)(
    'accepts shutdown %s (item 4)',
    (shutdown) => {
      expect(validateChildSpec(spec('a', { shutdown }), DEFAULT_FLAGS).shutdown).toBe(shutdown);
    },
  );

  it('rejects duplicate child ids with ERR_DUPLICATE_CHILD_ID, OTP duplicate_child_name (item 5)', async () => {
    const error = thrown(() =>
      validateChildSpecs([spec('a'), spec('b'), spec('a')], DEFAULT_FLAGS),
    );
    expect(isWardenError(error, 'ERR_DUPLICATE_CHILD_ID')).toBe(true);
    expect((error as { field?: string }).field).toBe('id');
    expect((error as Error).message).toContain('duplicate_child_name');
    const { node } = setup();
    const children = [spec('a'), spec('a')];
    expect(await startFailureField(node, { children }, 'ERR_DUPLICATE_CHILD_ID')).toBe('id');
    expect(node.processes()).toEqual([]);
  });

  const anySignificant = flags({ autoShutdown: 'any_significant' });
  const badSignificant: [string, ChildSpec, Partial<SupervisorFlags>][] = [
    ['permanent', spec('s', { significant: true }), { autoShutdown: 'any_significant' }],
    ['under never', spec('s', { significant: true, restart: 'transient' }), {}],
  ];

  it.each(badSignificant)(
    'rejects significant %s in validateChildSpec with ERR_BAD_COMBINATION (item 6)',
    (_, child, input) => {
      const error = thrown(() => validateChildSpec(child, flags(input)));
      expect(isWardenError(error, 'ERR_BAD_COMBINATION')).toBe(true);
      expect((error as { field?: string }).field).toBe('significant');
    },
  );

  it.each(badSignificant)(
    'rejects significant %s at supervisor init with ERR_BAD_COMBINATION (item 6)',
    async (_, child, input) => {
      const { node } = setup();
      const sup = { ...input, children: [child] };
      expect(await startFailureField(node, sup, 'ERR_BAD_COMBINATION')).toBe('significant');
    },
  );

  it.each(badSignificant)(
    'rejects significant %s in a dynamic startChild as a bad combination (item 6)',
    async (_, child, input) => {
      const { node } = setup();
      const sup = (await startSupervisor(node, { ...input, children: [] })) as Pid;
      const result = await startChild(node, sup, child);
      expect(result).toMatchObject({
        ok: false,
        error: 'invalid_child_spec',
        code: 'ERR_BAD_COMBINATION',
        field: 'significant',
      });
      expect(await whichChildren(node, sup)).toEqual([]);
    },
  );

  it('accepts a significant transient or temporary child under auto-shutdown (item 6)', () => {
    for (const restart of ['transient', 'temporary'] as const) {
      const child = spec('s', { significant: true, restart });
      expect(validateChildSpec(child, anySignificant).significant).toBe(true);
    }
  });
});
