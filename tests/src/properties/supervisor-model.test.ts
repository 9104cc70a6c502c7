/**
 * Model-based fault injection for supervisors (docs/semantics.md items 14-24, 35, 41).
 *
 * Random flags and children, then a random sequence of crashes (every exit reason, and kills),
 * virtual-time advances and dynamic-API calls, checked after every step against the pure reference
 * model in `supervisor-model.ts`.
 *
 * Replaying a failure: fast-check prints `seed`, `path` (and, for commands, a `replayPath`) in its
 * report. Run
 *   FC_SEED=<seed> FC_PATH=<path> [FC_REPLAY_PATH=<replayPath>] \
 *     npx vitest run tests/src/properties/supervisor-model.test.ts
 * `FC_RUNS=<n>` changes the number of runs (default 1000).
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { replayParams } from './replay-params.js';
import { childrenArb, commandArbs, flagsArb } from './supervisor-commands.js';
import { createModel } from './supervisor-model.js';
import { type SupervisorSystem, startSystem, verify } from './supervisor-system.js';

const replayPath = process.env.FC_REPLAY_PATH;

describe('supervisor restart rules against a reference model', () => {
  it('keeps liveness, children, pids and counts as OTP says under random faults (items 14-24, 35, 41)', async () => {
    await fc.assert(
      fc.asyncProperty(
        flagsArb,
        childrenArb,
        fc.commands(commandArbs, {
          maxCommands: 15,
          size: 'max',
          ...(replayPath !== undefined ? { replayPath } : {}),
        }),
        async (flags, children, commands) => {
          let system: SupervisorSystem | undefined;
          try {
            await fc.asyncModelRun(async () => {
              system = await startSystem(flags, children);
              const model = createModel(flags, children);
              await verify(model, system);
              return { model, real: system };
            }, commands);
          } finally {
            await system?.node.stop();
          }
        },
      ),
      replayParams({ numRuns: Number(process.env.FC_RUNS ?? 1000) }),
    );
  }, 120_000);
});
