/**
 * A research worker answers questions with three model calls each, under a spend cap for the
 * whole run: 12 calls. Questions past the cap are dead-lettered (kept, to run when the budget
 * renews), never silently dropped. A failed call is retried at most twice, and every attempt is
 * charged. The spend is kept in a store that outlives the worker, because a restart must not
 * hand out a fresh budget.
 */
import type { ScriptedModel } from '@warden/agents/testing';
import { defineActor, reply, sleep, startSupervisor } from '@warden/core';
import {
  faultSchedule,
  type Invariant,
  invariant,
  nothingLost,
  type Setup,
  type Simulation,
} from '../../src/index.js';
import { patientCall, schedule } from './client.js';

export type ResearchBug = 'unbounded-retry' | 'budget-in-memory';

const CAP = 12;

interface Env {
  readonly sim: Simulation;
  readonly model: ScriptedModel;
  readonly bug: ResearchBug | undefined;
  /** The durable spend (a row in a database, in production). */
  readonly store: { spent: number };
}

const researcher = defineActor<{ env: Env; spent: number }, Env>({
  init: (env) => ({ env, spent: 0 }),
  handleCall: async (question: string, _from, state, ctx) => {
    const { env } = state;
    const inMemory = env.bug === 'budget-in-memory';
    const spent = () => (inMemory ? state.spent : env.store.spent);
    const charge = () => {
      if (inMemory) state.spent++;
      else env.store.spent++;
    };
    for (let step = 0; step < 3; step++) {
      for (let attempt = 0; ; attempt++) {
        const retry = attempt > 0;
        if (!(retry && env.bug === 'unbounded-retry')) {
          if (spent() >= CAP) {
            env.sim.requests.markDeadLettered(question);
            return reply('dead-lettered', state);
          }
          charge();
        }
        try {
          await env.model.generate({
            system: `question:${question}`,
            messages: [
              { role: 'user', content: [{ type: 'text', text: `${question} step ${step}` }] },
            ],
            signal: ctx.signal,
          });
          break;
        } catch (error) {
          if (attempt >= 2 && env.bug !== 'unbounded-retry') throw error;
          await sleep(ctx.node.clock, 500, ctx.signal);
        }
      }
    }
    return reply('answered', state);
  },
});

export function researchSystem(bug?: ResearchBug): {
  setup: Setup;
  faults: ReturnType<typeof faultSchedule>;
  invariants: Invariant[];
} {
  let model: ScriptedModel | undefined;
  const setup: Setup = async (sim) => {
    const node = sim.node('research');
    model = sim.model('research-model', {
      script: { text: 'found it' },
      latencyMs: 1_000,
      timeoutMs: 5_000,
    });
    const env: Env = { sim, model, bug, store: { spent: 0 } };
    await startSupervisor(node, {
      strategy: 'one_for_one',
      intensity: 50,
      period: 10_000,
      children: [
        {
          id: 'researcher',
          start: {
            behaviour: sim.actor('researcher', researcher),
            args: env,
            options: { name: 'researcher' },
          },
        },
      ],
    });
    schedule(node, 5, 1_000, 3_000, (i) => {
      void patientCall(sim, node, `q${i}`, 'researcher', () => `q${i}`, {
        attempts: 20,
        pauseMs: 1_000,
        timeoutMs: 60_000,
      });
    });
  };
  const spendCapped = invariant('spend cap respected', () => {
    const calls = model?.calls.length ?? 0;
    return calls > CAP ? `${calls} model calls made, the cap is ${CAP}` : undefined;
  });
  return {
    setup,
    faults: faultSchedule({
      names: ['researcher'],
      models: ['research-model'],
      kinds: ['crash', 'model'],
      randomCrashes: false,
      horizonMs: 20_000,
      maxFaults: 6,
      maxNth: 15,
    }),
    invariants: [nothingLost(), spendCapped],
  };
}
