/**
 * A context monitor starts a memory sync every minute; a sync makes four model calls of 10 s
 * each (retrying a failed call twice), so alone it takes 40 s. Two syncs at once fight over the
 * same memory files, so there must never be two: the monitor keeps the one it started, linked,
 * and skips a tick while it lives. Model timeouts and rate limits stretch a sync past the next
 * tick: that is when a missing guard shows.
 */

import type { ScriptedModel } from '@warden/agents/testing';
import { type ActorContext, defineActor, type Pid, startSupervisor } from '@warden/core';
import {
  faultSchedule,
  type Invariant,
  noOrphans,
  type Setup,
  type Simulation,
  singleInstance,
} from '../../src/index.js';

export type MemorySyncBug = 'missing-guard' | 'unlinked-sync';

interface Env {
  readonly sim: Simulation;
  readonly model: ScriptedModel;
  readonly bug: MemorySyncBug | undefined;
  readonly sync: (ctx: ActorContext) => Promise<void>;
}

async function syncMemory(sim: Simulation, model: ScriptedModel, ctx: ActorContext): Promise<void> {
  sim.instance('memory-sync', ctx.self);
  for (let item = 0; item < 4; item++) {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await model.generate({
          messages: [{ role: 'user', content: [{ type: 'text', text: `sync item ${item}` }] }],
          signal: ctx.signal,
        });
        break;
      } catch {
        if (ctx.signal.aborted) return;
      }
    }
  }
}

const monitor = defineActor<{ env: Env; running: Pid | undefined }, Env>({
  init: (env, ctx) => {
    ctx.send(ctx.self, 'tick');
    return { env, running: undefined };
  },
  handleInfo: (_msg: 'tick', state, ctx) => {
    ctx.sendAfter(ctx.self, 'tick', 60_000);
    const { env } = state;
    const guarded = env.bug !== 'missing-guard';
    if (guarded && state.running !== undefined && ctx.node.isAlive(state.running)) return state;
    const start = env.bug === 'unlinked-sync' ? ctx.spawn.bind(ctx) : ctx.spawnLink.bind(ctx);
    return { env, running: start(env.sync) };
  },
});

export function memorySyncSystem(bug?: MemorySyncBug): {
  setup: Setup;
  faults: ReturnType<typeof faultSchedule>;
  invariants: Invariant[];
} {
  const setup: Setup = async (sim) => {
    const node = sim.node('memory');
    const model = sim.model('sync-model', {
      script: { text: 'synced' },
      latencyMs: 10_000,
      timeoutMs: 15_000,
    });
    const sync = sim.actor('sync', (ctx: ActorContext) => syncMemory(sim, model, ctx));
    const env: Env = { sim, model, bug, sync };
    await startSupervisor(node, {
      strategy: 'one_for_one',
      intensity: 50,
      period: 10_000,
      children: [
        {
          id: 'monitor',
          start: {
            behaviour: sim.actor('monitor', monitor),
            args: env,
            options: { name: 'monitor' },
          },
        },
      ],
    });
  };
  return {
    setup,
    faults: faultSchedule({
      names: ['monitor'],
      labels: ['monitor', 'sync'],
      models: ['sync-model'],
      kinds: ['crash', 'crash-on-message', 'model'],
      randomCrashes: false,
      horizonMs: 60_000,
      maxFaults: 6,
    }),
    invariants: [singleInstance(), noOrphans()],
  };
}
