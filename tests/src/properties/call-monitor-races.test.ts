/**
 * Race tests for the signals supervisors are built on (split from supervisor-races.test.ts to keep
 * files small): a `call` racing its server's exit, and monitors racing their target's exit.
 * fast-check's scheduler orders every racing step; each property runs over many interleavings.
 *
 * Replaying a failure: fast-check prints `seed` and `path`. Run
 *   FC_SEED=<seed> FC_PATH=<path> npx vitest run tests/src/properties/call-monitor-races.test.ts -t '<test name>'
 * `FC_RUNS=<n>` changes the number of runs (default 200 per property).
 */
import {
  DownMessage,
  defineActor,
  ExitMessage,
  type ExitReason,
  isWardenError,
  type Pid,
  type Ref,
  reply,
  sameReason,
  stop,
} from '@warden/core';
import { TestProbe } from '@warden/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Crash, crashArb, crashIn, endAs, exitReasonOf, inject } from './crash.js';
import { createWorld, drive, type Gate, raceWorker } from './race-harness.js';
import { replayParams } from './replay-params.js';

const RUNS = replayParams<unknown>({ numRuns: Number(process.env.FC_RUNS ?? 200) });
const TIMEOUT = 60_000;
const CALL_TIMEOUT = 1000;

interface ServerArgs {
  readonly gate: Gate;
  readonly trap: boolean;
  /** Reply only after a gate, so the exit can land while the call is being served. */
  readonly slow: boolean;
}

/** A server that answers `pong`, and stops when told to (or, trapping, on any EXIT). */
const server = defineActor<ServerArgs, ServerArgs>({
  init: (args, ctx) => {
    ctx.trapExit(args.trap);
    return args;
  },
  handleCall: async (_request: unknown, _from, args) => {
    if (args.slow) await args.gate('server replies');
    return reply('pong', args);
  },
  handleInfo: (message: unknown, args) => {
    if (message instanceof ExitMessage) return stop(message.reason, args);
    const crash = crashIn(message);
    return crash === undefined ? args : endAs(crash, args);
  },
});

/** The signal `exit(pid, _)` is sent with to end the server as `crash` says. */
function signalFor(crash: Crash): ExitReason {
  return crash.kind === 'kill' ? 'kill' : exitReasonOf(crash);
}

type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown };

describe('gen_server:call racing the server exit (items 50-51)', () => {
  it(
    'resolves with the reply or rejects with ERR_EXIT / ERR_NOPROC, and never hangs',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.record({ trap: fc.boolean(), slow: fc.boolean() }),
          crashArb,
          fc.constantFrom('signal', 'message'),
          fc.constantFrom('node', 'process'),
          async (s, opts, crash, via, caller) => {
            const w = createWorld(s);
            const pid = w.node.spawn(server, { args: { ...opts, gate: w.gate } });
            // Item 45: `normal` sent as a signal is dropped by a process that does not trap exits.
            const survives = via === 'signal' && crash.kind === 'normal' && !opts.trap;
            const reason = exitReasonOf(crash);
            let outcome: Outcome | undefined;
            let deadAtCall = false;
            const settle = (p: Promise<unknown>) =>
              p.then(
                (value) => (outcome = { ok: true, value }),
                (error) => (outcome = { ok: false, error }),
              );
            void w.gate('call').then(() => {
              deadAtCall = !w.node.isAlive(pid);
              const options = { timeout: CALL_TIMEOUT };
              if (caller === 'node') void settle(w.node.call(pid, 'ping', options));
              else w.node.spawn(async (ctx) => settle(ctx.call(pid, 'ping', options)));
            });
            void w.gate(`server exits (${via})`).then(() => {
              if (via === 'signal') w.node.exit(pid, signalFor(crash));
              else inject(w.node, pid, crash);
            });
            await drive(s, w.clock);

            expect(outcome, 'the call settled').toBeDefined();
            const error = outcome?.ok === false ? outcome.error : undefined;
            expect(isWardenError(error, 'ERR_CALL_TIMEOUT'), 'the call did not hang').toBe(false);
            if (deadAtCall) {
              expect(isWardenError(error, 'ERR_NOPROC'), 'ERR_NOPROC for a dead server').toBe(true);
            } else if (isWardenError(error)) {
              expect(error.code, 'a call the server died during').toBe('ERR_EXIT');
              expect(survives, 'only a dying server fails a call').toBe(false);
              expect(sameReason(error.reason as ExitReason, reason), 'the server exit reason').toBe(
                true,
              );
            } else {
              expect(outcome).toEqual({ ok: true, value: 'pong' });
            }
            expect(w.node.isAlive(pid), 'the server lives only if the signal was dropped').toBe(
              survives,
            );
            expect(w.node.processes().length, 'nothing else is left').toBe(survives ? 1 : 0);
            expect(w.clock.now(), 'no timer had to fire').toBe(0);
            await w.node.stop();
          },
        ),
        RUNS,
      );
    },
    TIMEOUT,
  );
});

type MonitorPlan = 'keep' | 'demonitor' | 'demonitor+flush';

interface Watch {
  ref?: Ref;
  aliveAtMonitor?: boolean;
  deadAtDemonitor?: boolean;
}

describe('monitors racing an exit (item 49)', () => {
  it(
    'delivers exactly one DOWN per monitor, with noproc or the real reason',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.array(fc.constantFrom<MonitorPlan>('keep', 'demonitor', 'demonitor+flush'), {
            minLength: 1,
            maxLength: 4,
          }),
          crashArb,
          async (s, plans, crash) => {
            const w = createWorld(s);
            const probe = new TestProbe(w.node);
            const target: Pid = w.node.spawn(raceWorker, {
              args: { id: 'target', gate: w.gate, trap: false },
            });
            const watches: Watch[] = plans.map(() => ({}));
            plans.forEach((plan, i) => {
              const watch = watches[i] as Watch;
              void w.gate(`monitor #${i}`).then(async () => {
                watch.aliveAtMonitor = w.node.isAlive(target);
                const ref = probe.monitor(target);
                watch.ref = ref;
                if (plan === 'keep') return;
                await w.gate(`demonitor #${i}`);
                watch.deadAtDemonitor = !w.node.isAlive(target);
                probe.demonitor(ref, { flush: plan === 'demonitor+flush' });
              });
            });
            void w.gate('target exits').then(() => inject(w.node, target, crash));
            await drive(s, w.clock);

            expect(w.node.isAlive(target)).toBe(false);
            const downs = probe.messages.filter((m) => m instanceof DownMessage);
            const refs = new Set(watches.map((x) => x.ref));
            expect(
              downs.every((d) => refs.has(d.ref)),
              'no DOWN for an unknown ref',
            ).toBe(true);
            plans.forEach((plan, i) => {
              const watch = watches[i] as Watch;
              const mine = downs.filter((d) => d.ref === watch.ref);
              const expected =
                plan === 'keep'
                  ? 1
                  : plan === 'demonitor+flush'
                    ? 0
                    : watch.deadAtDemonitor
                      ? 1
                      : 0;
              expect(mine.length, `DOWNs for monitor #${i} (${plan})`).toBe(expected);
              if (mine.length === 0) return;
              const reason = watch.aliveAtMonitor ? exitReasonOf(crash) : 'noproc';
              expect(sameReason(mine[0]?.reason as ExitReason, reason), `reason #${i}`).toBe(true);
            });
            await w.node.stop();
          },
        ),
        RUNS,
      );
    },
    TIMEOUT,
  );
});
