/**
 * An auth server and an API that holds a session token from it. A token is good only with the
 * auth incarnation that issued it: when auth restarts, the API must restart after it to fetch a
 * new one (`rest_for_one`). With `one_for_one` the API keeps a dead session and every request
 * after auth's restart fails: the textbook wrong restart strategy.
 */
import { defineActor, reply, type Strategy, startSupervisor } from '@warden/core';
import { faultSchedule, type Invariant, nothingLost, type Setup } from '../../src/index.js';
import { patientCall, schedule } from './client.js';

export type SessionBug = 'one-for-one';

class Auth {
  epoch = 0;
}

const auth = defineActor<number, Auth>({
  init: (world) => ++world.epoch,
  handleCall: (_req: 'token', _from, epoch) => reply(epoch, epoch),
});

const api = defineActor<{ token: number; world: Auth }, Auth>({
  init: async (world, ctx) => ({ token: await ctx.call<number>('auth', 'token'), world }),
  handleCall: (_req: 'request', _from, state) => {
    // The auth server no longer knows the token: the API answers, it does not crash.
    return reply(state.token === state.world.epoch ? 'ok' : 'session expired', state);
  },
});

export function sessionSystem(bug?: SessionBug): {
  setup: Setup;
  faults: ReturnType<typeof faultSchedule>;
  invariants: Invariant[];
} {
  const strategy: Strategy = bug === 'one-for-one' ? 'one_for_one' : 'rest_for_one';
  const setup: Setup = async (sim) => {
    const node = sim.node('api');
    const world = new Auth();
    await startSupervisor(node, {
      strategy,
      intensity: 50,
      period: 10_000,
      children: [
        {
          id: 'auth',
          start: { behaviour: sim.actor('auth', auth), args: world, options: { name: 'auth' } },
        },
        {
          id: 'api',
          start: { behaviour: sim.actor('api', api), args: world, options: { name: 'api' } },
        },
      ],
    });
    schedule(node, 10, 1_000, 1_500, (i) => {
      void patientCall(sim, node, `req-${i}`, 'api', () => 'request', {
        attempts: 5,
        pauseMs: 500,
        timeoutMs: 3_000,
        ok: (answer) => answer === 'ok',
      });
    });
  };
  return {
    setup,
    faults: faultSchedule({
      names: ['auth', 'api'],
      labels: ['auth', 'api'],
      kinds: ['crash', 'crash-on-message', 'slow'],
      randomCrashes: false,
      horizonMs: 15_000,
      maxFaults: 6,
      maxDurationMs: 2_000,
    }),
    invariants: [nothingLost()],
  };
}
