/**
 * The dynamic API racing a group restart that fails part-way (docs/semantics.md items 26-28, 35),
 * as a race property, and the minimal deterministic repros of what it found.
 *
 * Replaying a failure: fast-check prints `seed` and `path`. Run
 *   FC_SEED=<seed> FC_PATH=<path> npx vitest run tests/src/properties/failed-restart-races.test.ts -t '<test name>'
 * `FC_RUNS=<n>` changes the number of runs (default 200).
 */
import {
  createNode,
  defineActor,
  deleteChild,
  isPid,
  type Pid,
  restartChild,
  type Strategy,
  startSupervisor,
  terminateChild,
  whichChildren,
} from '@warden/core';
import { TestClock } from '@warden/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createWorld, drive, expectTreeConsistent, gatedChild } from './race-harness.js';
import { replayParams } from './replay-params.js';

const RUNS = replayParams<unknown>({ numRuns: Number(process.env.FC_RUNS ?? 200) });
const IDS = ['a', 'b', 'c'] as const;

type Op =
  | { readonly op: 'which' }
  | { readonly op: 'terminate' | 'restart' | 'delete'; readonly id: string };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ op: 'which' } as const),
  fc.record({
    op: fc.constantFrom('terminate' as const, 'restart' as const, 'delete' as const),
    id: fc.constantFrom(...IDS),
  }),
);

describe('the dynamic API racing a failing group restart (items 26-28, 35)', () => {
  it('never reports a pid that had exited before it was asked, and leaves no orphan', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.constantFrom<Strategy>('one_for_all', 'rest_for_one'),
        fc.constantFrom(...IDS),
        fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
        fc.array(opArb, { minLength: 1, maxLength: 4 }),
        async (s, strategy, victim, failsOnce, ops) => {
          const w = createWorld(s);
          const exited = new Set<string>();
          w.node.inspect((e) => {
            if (e.type === 'actor.exited') exited.add(e.pid.key);
          });
          // Child i's first restart fails if failsOnce[i]; its retry then succeeds.
          const children = IDS.map(
            (id, i) =>
              gatedChild(
                w,
                id,
                { trap: false, shutdown: 5000 },
                (n) => n === 1 && failsOnce[i] === true,
              ).spec,
          );
          const sup = (await startSupervisor(w.node, { strategy, intensity: 10, children })) as Pid;
          const phantoms: string[] = [];
          void w.gate(`kill ${victim}`).then(() => {
            w.node.exit(w.log.current.get(victim) as Pid, 'kill');
          });
          ops.forEach((op, i) => {
            void w.gate(`${op.op} ${op.op === 'which' ? '' : op.id} #${i}`).then(async () => {
              if (op.op === 'terminate') await terminateChild(w.node, sup, op.id);
              else if (op.op === 'restart') await restartChild(w.node, sup, op.id);
              else if (op.op === 'delete') await deleteChild(w.node, sup, op.id);
              else {
                // A child that exited before this request has its EXIT ahead of it in the
                // supervisor's mailbox (FIFO): the answer must not show that pid.
                const gone = new Set(exited);
                for (const row of await whichChildren(w.node, sup)) {
                  if (isPid(row.pid) && gone.has(row.pid.key))
                    phantoms.push(`${row.id}=${row.pid}`);
                }
              }
            });
          });
          await drive(s, w.clock);

          expect(phantoms, 'whichChildren showed pids that had already exited').toEqual([]);
          expect(w.node.isAlive(sup)).toBe(true);
          const rows = await whichChildren(w.node, sup);
          expect(
            rows.filter((r) => r.pid === 'restarting'),
            'no retry left pending',
          ).toEqual([]);
          await expectTreeConsistent(w.node, sup, []);
          await w.node.stop();
        },
      ),
      RUNS,
    );
  }, 60_000);
});

const worker = defineActor({ init: () => null });

/**
 * one_for_all over [a, b]: b is killed, and a's restart (first in start order) fails when the test
 * says so. `fail` is armed once the supervisor waits in a's restart.
 */
async function failingGroupRestart() {
  const clock = new TestClock();
  const node = createNode({ name: 'repro', clock });
  let starts = 0;
  let fail: (error: Error) => void = () => {};
  const sup = (await startSupervisor(node, {
    strategy: 'one_for_all',
    intensity: 5,
    children: [
      {
        id: 'a',
        start: (ctx) =>
          starts++ === 1
            ? new Promise<never>((_, reject) => {
                fail = reject;
              })
            : ctx.startLink(worker),
      },
      { id: 'b', start: { behaviour: worker } },
    ],
  })) as Pid;
  const b = (await whichChildren(node, sup))[1]?.pid as Pid;
  node.exit(b, 'kill');
  await clock.settle(); // the supervisor now waits in a's restart
  return { clock, node, sup, b, fail: () => fail(new Error('a cannot start')) };
}

describe('a group restart that fails part-way (items 20, 27, 28)', () => {
  it('shows no pid for the crashed child while an earlier sibling waits for its retry', async () => {
    const { clock, node, sup, b, fail } = await failingGroupRestart();
    const during = whichChildren(node, sup); // queued before the retry
    fail();
    const rows = await during;
    expect(node.isAlive(b)).toBe(false);
    // OTP's restart(one_for_all) first clears the crashed child's pid (del_child).
    expect(rows.map((r) => [r.id, r.pid])).toEqual([
      ['a', 'restarting'],
      ['b', undefined],
    ]);
    await clock.settle();
    const after = await whichChildren(node, sup);
    expect(
      after.every((r) => isPid(r.pid) && node.isAlive(r.pid)),
      'the retry restarts both',
    ).toBe(true);
    await node.stop();
  });

  it('lets restartChild start the crashed child after its retry target is terminated (item 35)', async () => {
    const { clock, node, sup, fail } = await failingGroupRestart();
    const terminated = terminateChild(node, sup, 'a'); // queued before the retry
    fail();
    expect(await terminated).toEqual({ ok: true });
    await clock.settle(); // the retry finds a no longer restarting and does nothing
    const restarted = await restartChild(node, sup, 'b');
    expect(restarted.ok, `restartChild(b) returned ${JSON.stringify(restarted)}`).toBe(true);
    const b = (await whichChildren(node, sup))[1]?.pid;
    expect(isPid(b) && node.isAlive(b), 'b runs again').toBe(true);
    await node.stop();
  });
});
