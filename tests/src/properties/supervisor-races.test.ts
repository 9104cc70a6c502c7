/**
 * Race tests: fast-check's scheduler decides the order in which crashes, API calls, restarts,
 * shutdowns, calls and monitors happen (every racing step waits on a scheduled gate), and each
 * property checks the invariants over many interleavings: no orphan process, no double restart,
 * exactly one DOWN per monitor, countChildren agreeing with whichChildren.
 *
 * Replaying a failure: fast-check prints `seed` and `path` (the scheduler's order is part of the
 * counterexample). Run
 *   FC_SEED=<seed> FC_PATH=<path> npx vitest run tests/src/properties/supervisor-races.test.ts -t '<test name>'
 * `FC_RUNS=<n>` changes the number of runs (default 200 per property).
 */
import {
  DownMessage,
  ExitMessage,
  isPid,
  type Pid,
  type RestartType,
  type Strategy,
  samePid,
  startSupervisor,
  type TerminateChildResult,
  terminateChild,
  whichChildren,
} from '@warden/core';
import { TestProbe } from '@warden/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crashArb, inject } from './crash.js';
import {
  createWorld,
  drive,
  expectTreeConsistent,
  gatedChild,
  shutdownArb,
  type WorkerPlan,
  workerArb,
} from './race-harness.js';
import { replayParams } from './replay-params.js';
import { expectRestartSequence, restartGroup } from './supervisor-log.js';

const RUNS = replayParams<unknown>({ numRuns: Number(process.env.FC_RUNS ?? 200) });
const TIMEOUT = 60_000;

const strategyArb = fc.constantFrom<Strategy>('one_for_one', 'one_for_all', 'rest_for_one');

describe('crash racing terminateChild (items 15-16, 35)', () => {
  it(
    'leaves the terminated child stopped and restarted at most once, whichever comes first',
    async () => {
      const aArb = fc.record({
        trap: fc.boolean(),
        shutdown: shutdownArb,
        restart: fc.constantFrom<RestartType>('permanent', 'transient', 'temporary'),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          strategyArb,
          aArb,
          crashArb,
          fc.boolean(),
          async (s, strategy, a, crash, aFirst) => {
            const w = createWorld(s);
            const order = aFirst ? ['a', 'b'] : ['b', 'a'];
            const plans: Record<string, WorkerPlan> = { a, b: { trap: false, shutdown: 5000 } };
            const children = order.map((id) => gatedChild(w, id, plans[id] as WorkerPlan).spec);
            const sup = (await startSupervisor(w.node, {
              strategy,
              intensity: 10,
              children,
            })) as Pid;
            const b = w.log.current.get('b');
            let result: TerminateChildResult | undefined;
            void w.gate('crash a').then(() => inject(w.node, w.log.current.get('a'), crash));
            void w.gate('terminateChild a').then(async () => {
              result = await terminateChild(w.node, sup, 'a');
            });
            await drive(s, w.clock);

            // A temporary `a` that exited first is already gone: not_found is the only other answer.
            const answer = result?.ok === false ? result.error : result?.ok;
            expect(answer, 'terminateChild result').toBe(
              a.restart === 'temporary' && answer !== true ? 'not_found' : true,
            );
            const rows = await whichChildren(w.node, sup);
            const rowA = rows.find((r) => r.id === 'a');
            if (a.restart === 'temporary') expect(rowA, 'temporary a is gone').toBeUndefined();
            else expect(rowA?.pid, 'a stays terminated').toBeUndefined();
            expect(w.log.ids('exited').length).toBeLessThanOrEqual(1);
            expectRestartSequence(w.log, {
              strategy,
              order,
              restart: (id) => plans[id]?.restart ?? 'permanent',
            });
            const touched = w.log
              .ids('restart')
              .some((id) => restartGroup(strategy, order, id).includes('b'));
            const pidB = rows.find((r) => r.id === 'b')?.pid;
            expect(isPid(pidB) && samePid(pidB, b), 'b keeps its pid unless restarted').toBe(
              !touched,
            );
            await expectTreeConsistent(w.node, sup, []);
            await w.node.stop();
          },
        ),
        RUNS,
      );
    },
    TIMEOUT,
  );
});

describe('crashes during a group restart (items 20-22)', () => {
  it(
    'restarts the group once per restart event, in start order, while members crash mid-restart',
    async () => {
      const hitArb = fc.record({ target: fc.constantFrom('a', 'b', 'c'), crash: crashArb });
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.constantFrom<Strategy>('one_for_all', 'rest_for_one'),
          fc.tuple(workerArb, workerArb, workerArb),
          fc.array(hitArb, { minLength: 1, maxLength: 3 }),
          fc.integer({ min: 1, max: 4 }),
          async (s, strategy, workers, hits, intensity) => {
            const w = createWorld(s);
            const order = ['a', 'b', 'c'];
            const kids = order.map((id, i) => gatedChild(w, id, workers[i] as WorkerPlan));
            const children = kids.map((k) => k.spec);
            const sup = (await startSupervisor(w.node, {
              strategy,
              intensity,
              children,
            })) as Pid;
            // A hit lands on the child's latest process, which may still be in its init.
            hits.forEach(({ target, crash }, i) => {
              void w.gate(`crash ${target} #${i}`).then(() => {
                inject(w.node, kids[order.indexOf(target)]?.latest(), crash);
              });
            });
            await drive(s, w.clock);

            expect(w.node.isAlive(sup), 'alive unless escalated').toBe(!w.log.escalated);
            expect(w.log.ids('restart').length, 'the first hit restarts').toBeGreaterThan(0);
            const faults = w.log.ids('exited').length + w.log.ids('start_failed').length;
            expect(faults, 'each hit is at most one exit or failed start').toBeLessThanOrEqual(
              hits.length,
            );
            expectRestartSequence(w.log, { strategy, order, restart: () => 'permanent' });
            if (!w.log.escalated) {
              const rows = await whichChildren(w.node, sup);
              expect(rows.map((r) => [r.id, isPid(r.pid) ? r.pid.key : r.pid])).toEqual(
                order.map((id) => [id, w.log.current.get(id)?.key]),
              );
            }
            await expectTreeConsistent(w.node, sup, []);
            await w.node.stop();
          },
        ),
        RUNS,
      );
    },
    TIMEOUT,
  );
});

describe('supervisor shutdown during a failing-restart loop (items 23, 26, 34)', () => {
  it(
    'stops with shutdown or killed and leaves no process behind, whenever the stop comes',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          strategyArb,
          fc.integer({ min: 0, max: 4 }),
          fc.array(fc.boolean(), { maxLength: 5 }),
          fc.boolean(),
          workerArb,
          crashArb,
          fc.constantFrom('shutdown', 'kill'),
          async (s, strategy, intensity, starts, flakyFirst, steadyPlan, crash, how) => {
            const w = createWorld(s);
            // Restart n of `flaky` succeeds only if starts[n - 1] is true.
            const flaky = gatedChild(
              w,
              'flaky',
              { trap: false, shutdown: 5000 },
              (n) => !starts[n - 1],
            );
            const steady = gatedChild(w, 'steady', steadyPlan).spec;
            const order = flakyFirst ? ['flaky', 'steady'] : ['steady', 'flaky'];
            const children = flakyFirst ? [flaky.spec, steady] : [steady, flaky.spec];
            const box: { sup?: Pid; exits: ExitMessage[] } = { exits: [] };
            const parent = w.node.spawn(
              async (ctx) => {
                const sup = (await startSupervisor(ctx, { strategy, intensity, children })) as Pid;
                box.sup = sup;
                for (;;) {
                  const m = await ctx.receive();
                  if (m === 'stop') ctx.exit(sup, 'shutdown');
                  else if (m instanceof ExitMessage) box.exits.push(m);
                }
              },
              { trapExit: true },
            );
            await w.clock.settle();
            const sup = box.sup as Pid;
            const probe = new TestProbe(w.node);
            const ref = probe.monitor(sup);
            void w
              .gate('crash flaky')
              .then(() => inject(w.node, w.log.current.get('flaky'), crash));
            let killedAlive = false;
            void w.gate(`stop supervisor (${how})`).then(() => {
              killedAlive = how === 'kill' && w.node.isAlive(sup);
              if (how === 'kill') w.node.exit(sup, 'kill');
              else w.node.send(parent, 'stop');
            });
            await drive(s, w.clock);

            expect(w.node.isAlive(sup)).toBe(false);
            expect(
              box.exits.map((e) => e.from.key),
              'one EXIT from the supervisor',
            ).toEqual([sup.key]);
            // A kill that finds it alive (even mid-escalation) wins; otherwise it exits `shutdown`.
            const reason = killedAlive ? 'killed' : 'shutdown';
            expect(box.exits[0]?.reason).toBe(reason);
            const downs = probe.messages.filter((m) => m instanceof DownMessage && m.ref === ref);
            expect(
              downs.map((d) => (d as DownMessage).reason),
              'exactly one DOWN',
            ).toEqual([reason]);
            const restarts = w.log.ids('restart').length;
            expect(restarts, 'restarts within intensity (item 23)').toBeLessThanOrEqual(intensity);
            if (w.log.escalated) expect(restarts).toBe(intensity);
            const restart = (): RestartType => 'permanent';
            expectRestartSequence(w.log, { strategy, order, restart, killed: how === 'kill' });
            // No start without a restart event; with a graceful stop, one start per restart event.
            expect(flaky.starts()).toBeLessThanOrEqual(1 + restarts);
            if (how === 'shutdown') expect(flaky.starts()).toBe(1 + restarts);
            expect(w.clock.now(), 'nothing waited for a timeout').toBe(0);
            await expectTreeConsistent(w.node, sup, [parent, probe.pid]);
            await w.node.stop();
          },
        ),
        RUNS,
      );
    },
    TIMEOUT,
  );
});
