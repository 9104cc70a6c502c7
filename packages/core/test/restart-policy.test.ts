// The pure restart decision and restart plan (docs/semantics.md items 14-16, 19-21).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ExitReason,
  isAbnormal,
  planRestart,
  type RestartType,
  shouldRestart,
  shutdownWith,
} from '../src/index.js';

const REASONS: [string, ExitReason][] = [
  ['normal', 'normal'],
  ['shutdown', 'shutdown'],
  ['{shutdown, _}', shutdownWith({ any: 'detail' })],
  ['killed', 'killed'],
  ['noproc', 'noproc'],
  ['noconnection', 'noconnection'],
  ['an error', { tag: 'error', name: 'Error', message: 'boom' }],
];

const EXPECTED: Record<RestartType, boolean[]> = {
  permanent: [true, true, true, true, true, true, true],
  transient: [false, false, false, true, true, true, true],
  temporary: [false, false, false, false, false, false, false],
};

const ITEM: Record<RestartType, number> = { permanent: 14, transient: 15, temporary: 16 };

const arbReason: fc.Arbitrary<ExitReason> = fc.oneof(
  fc.constantFrom<ExitReason>('normal', 'shutdown', 'kill', 'killed', 'noproc', 'noconnection'),
  fc.anything().map((detail) => shutdownWith(detail)),
  fc.string().map((message): ExitReason => ({ tag: 'error', name: 'Error', message })),
);

/** Distinct ids in start order, and one of them. */
const arbOrder = fc
  .uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 })
  .chain((order) => fc.tuple(fc.constant(order), fc.constantFrom(...order)));

describe('shouldRestart', () => {
  const table = (['permanent', 'transient', 'temporary'] as const).flatMap((type) =>
    REASONS.map(([name, reason], i) => ({
      type,
      name,
      reason,
      expected: EXPECTED[type][i] as boolean,
      item: ITEM[type],
    })),
  );

  it.each(table)(
    'decides $expected for a $type child exiting $name (item $item)',
    ({ type, reason, expected }) => {
      expect(shouldRestart(type, reason)).toBe(expected);
    },
  );

  it('restarts a transient child exactly when the reason is abnormal (item 15)', () => {
    fc.assert(
      fc.property(arbReason, (reason) => {
        expect(shouldRestart('transient', reason)).toBe(isAbnormal(reason));
        expect(shouldRestart('permanent', reason)).toBe(true);
        expect(shouldRestart('temporary', reason)).toBe(false);
      }),
    );
  });
});

describe('planRestart', () => {
  const order = ['a', 'b', 'c', 'd'];

  it('plans only the failed child under one_for_one and simple_one_for_one (item 19)', () => {
    expect(planRestart('one_for_one', order, 'b')).toEqual({ terminate: [], start: ['b'] });
    expect(planRestart('simple_one_for_one', order, 'b')).toEqual({ terminate: [], start: ['b'] });
  });

  it('terminates the others in reverse order and starts all in order under one_for_all (item 20)', () => {
    expect(planRestart('one_for_all', order, 'b')).toEqual({
      terminate: ['d', 'c', 'a'],
      start: ['a', 'b', 'c', 'd'],
    });
  });

  it('terminates the later children in reverse order and starts from the failed one under rest_for_one (item 21)', () => {
    expect(planRestart('rest_for_one', order, 'b')).toEqual({
      terminate: ['d', 'c'],
      start: ['b', 'c', 'd'],
    });
    expect(planRestart('rest_for_one', order, 'd')).toEqual({ terminate: [], start: ['d'] });
    expect(planRestart('rest_for_one', order, 'a')).toEqual({
      terminate: ['d', 'c', 'b'],
      start: order,
    });
  });

  it('plans only the failed child when it is not in the order', () => {
    for (const strategy of ['one_for_all', 'rest_for_one'] as const) {
      expect(planRestart(strategy, order, 'zz')).toEqual({ terminate: [], start: ['zz'] });
    }
  });

  it('plans the whole group under one_for_all for any order (item 20)', () => {
    fc.assert(
      fc.property(arbOrder, ([ids, failed]) => {
        const plan = planRestart('one_for_all', ids, failed);
        expect(plan.start).toEqual(ids);
        expect(plan.terminate).toEqual(ids.filter((id) => id !== failed).reverse());
      }),
    );
  });

  it('plans the failed child and the later ones under rest_for_one for any order (item 21)', () => {
    fc.assert(
      fc.property(arbOrder, ([ids, failed]) => {
        const i = ids.indexOf(failed);
        const plan = planRestart('rest_for_one', ids, failed);
        expect(plan.start).toEqual(ids.slice(i));
        expect(plan.terminate).toEqual(ids.slice(i + 1).reverse());
      }),
    );
  });
});
